using Orleans;
using Orleans.Concurrency;
using OrleansZk.Core;

namespace OrleansZk;

/// <summary>
/// One ensemble member (keyed by replica id, like ZooKeeper's myid), pinned to the silo configured
/// to host it. It runs the ZAB engine with the other members and owns its replica of the tree and
/// its transaction log. The leader orders, prepares and proposes every write, replies once it is
/// committed (a quorum has it durably), applied and delivered to the partitions, and numbers and
/// publishes watch events; followers log, apply and snapshot, and deliver nothing.
/// <para>The client calls (sessions, writes, sync, addauth, watch re-registration) are the
/// leader's: any other replica throws <see cref="NotLeaderException"/> naming the leader when it
/// knows one. A leader that is not serving yet (synchronising) holds them until it is.</para>
/// Every method may interleave: the replica never awaits anything that could call back into it
/// while holding its turn.
/// </summary>
/// <summary>
/// Where a session's watch events are pushed (docs/watches.md, "Push delivery"): a grain observer
/// the client creates once and hands to the leader with <see cref="IZkReplicaGrain.SetWatches"/>. The
/// leader calls it with one session's messages one at a time, in seq order (the next leaves once the
/// previous is answered; messages waiting meanwhile go as one). Delivery is not guaranteed: a lost
/// message is a gap in the seqs, after which the client re-registers.
/// </summary>
public interface IZkWatchObserver : IGrainObserver
{
    Task OnWatchEvents(WatchEvents message);
}

public interface IZkReplicaGrain : IGrainWithIntegerKey
{
    /// <summary>Opens a session with a replicated createSession.</summary>
    Task<SessionInfo> CreateSession(int timeoutMs, byte[] password);

    /// <summary>
    /// Reattaches to an open session (a new client, even in another process, or the same client
    /// after a leader change): null when the session is unknown, expired or closed, or the password
    /// does not match. Counts as a heartbeat.
    /// </summary>
    Task<SessionInfo?> ResumeSession(long sessionId, byte[] password);

    /// <summary>
    /// A heartbeat: keeps the session alive for another timeout. Ok, or SessionExpired when the
    /// session is gone (expired or closed) or expiring. Handled apart from the write pipeline, so
    /// a long fsync never delays it. The reply also says how far the session's watch events are numbered.
    /// </summary>
    Task<PingReply> Ping(long sessionId);

    /// <summary>
    /// (Re-)registers the session's watches with the client's last zxid (ZooKeeper's SetWatches,
    /// docs/watches.md), in order with the leader's batches: every batch before it has been
    /// delivered and its events numbered, the partitions register the watches and fire what changed
    /// after <paramref name="lastZxid"/> (returned in the reply, not pushed), and only then
    /// does the next batch reach the partitions. <paramref name="observer"/> (when given) is where the
    /// session's later events are pushed from now on, replacing any earlier one. An empty set
    /// registers no watch and only tells where the session's numbering stands (the client's first
    /// attach). SessionExpired when the session is not open.
    /// </summary>
    Task<WatchesReply> SetWatches(long sessionId, long lastZxid, WatchSet watches, IZkWatchObserver? observer);

    /// <summary>
    /// A write (create, delete, setData, setACL, check, multi, closeSession) of session
    /// <paramref name="sessionId"/>. Writes of one session take effect in <paramref name="xid"/>
    /// order (1, 2, 3, ...) whatever order they arrive in; the reply comes once the effect is
    /// committed on a quorum, durable and visible to reads.
    /// </summary>
    Task<WriteReply> Submit(long sessionId, int xid, WriteRequest request);

    /// <summary>
    /// sync: ordered with the session's writes, and answered only once a quorum has confirmed that
    /// this replica is still the leader; the reply's zxid covers every write committed before it.
    /// </summary>
    Task<WriteReply> Sync(long sessionId, int xid, string path);

    /// <summary>
    /// A linearizable read's barrier (beyond ZooKeeper): the zxid applied when the call arrived,
    /// returned once a quorum has confirmed this replica is still the leader. A read at or above it
    /// sees every write acknowledged before the call. Not ordered with the session's writes.
    /// −1 when the session is not open (expired or closed).
    /// </summary>
    Task<long> ReadBarrier(long sessionId);

    /// <summary>addauth: adds a proven identity to the session (digest scheme); AuthFailed for other schemes.
    /// Scheme "ip" sets the session's verified network address (an IPv4 or IPv6 address), which ip
    /// ACLs match: only a front end that accepted the client's connection may say it (the ZooKeeper
    /// client port does). Identities are the leader's: after a leader change the client proves them again.</summary>
    Task<AuthReply> AddAuth(long sessionId, string scheme, byte[] auth);

    /// <summary>The session's ephemeral paths under <paramref name="prefix"/>, sorted.</summary>
    Task<IReadOnlyList<string>> GetEphemerals(long sessionId, string prefix);

    /// <summary>What a client needs to know (any replica answers; the leader id is this replica's view).</summary>
    Task<ServiceInfo> GetServiceInfo();

    /// <summary>This replica's role and positions (any replica answers).</summary>
    Task<ReplicaStatus> GetStatus();

    /// <summary>
    /// A digest of this replica's whole tree (nodes and sessions) at the zxid it has applied: replicas
    /// at equal zxids must have equal digests. Costs a pass over the tree (diagnostics and tests).
    /// </summary>
    Task<TreeDigest> GetTreeDigest();

    /// <summary>
    /// The leader brings <paramref name="partition"/> up to what it has applied — by delivering the
    /// effects since <paramref name="watermark"/> (the partition is complete through it; −1: it holds
    /// nothing) when its history reaches back that far, else by loading it with an image — and
    /// returns once the partition has them. <paramref name="activation"/>: a new activation of the
    /// partition (it lost its watch registrations, which pings then report).
    /// </summary>
    Task CatchUpPartition(int partition, long watermark, bool activation);

    /// <summary>
    /// A partition's whole content from this replica's tree, leader or follower (committed data):
    /// how a partition activated while there is no leader still serves reads.
    /// </summary>
    Task<PartitionImage> GetPartitionImage(int partition);

    /// <summary>Where the leader stands for one partition (for reads above the partition's watermark).</summary>
    Task<PartitionWatermark> GetWatermark(int partition);

    /// <summary>A session's proven identities, for partitions' ACL checks (the leader's).</summary>
    Task<SessionAuth> GetSessionAuth(long sessionId);

    /// <summary>ZAB messages from another replica (one batch, possibly cut into chunks; see <see cref="ZabPacket"/>).</summary>
    [OneWay]
    Task Receive(ZabPacket packet);

    /// <summary>
    /// Answers at once. A follower whose leader has gone quiet calls it to tell a dead leader (the
    /// call is refused: its silo's connection is closed, or the silo is declared dead) from a slow one.
    /// </summary>
    Task Probe();
}

/// <summary>
/// Finds the ensemble's leader and reports on the ensemble, from any silo (a stateless worker, so
/// it runs on the silo the caller reaches): clients and shells ask it where to send writes.
/// </summary>
public interface IZkServiceGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// The current leader as this silo knows it (asking the replicas when it does not, or when
    /// <paramref name="refresh"/>), with what a client needs to know; LeaderId null during an election.
    /// </summary>
    Task<LeaderInfo> FindLeader(bool refresh);

    /// <summary>Every configured replica's status (a replica that does not answer is reported unreachable).</summary>
    Task<IReadOnlyList<ReplicaStatus>> GetEnsembleStatus();

    /// <summary>
    /// The gateways ("address:port") of the silos this silo's membership view has active. A client
    /// with a list of gateways stops sending through a listed one that is not among them: a silo
    /// frozen (SIGSTOP) keeps its connections open, and calls sent through it would wait for as
    /// long as it stays frozen.
    /// </summary>
    Task<IReadOnlyList<string>> GetActiveGateways();
}

/// <summary>Where the leader is: <paramref name="LeaderId"/> (null: an election is in progress) of epoch
/// <paramref name="Epoch"/>, the voting replicas, and the service's settings clients need.</summary>
[GenerateSerializer, Immutable, Alias("zk.LeaderInfo")]
public sealed record LeaderInfo(long? LeaderId, long Epoch, IReadOnlyList<long> Ensemble, int Partitions, int MaxDataBytes);

/// <summary>
/// A replica that cannot take a client call because it is not the leader: <paramref name="LeaderId"/>
/// names the leader it follows (null: none known, an election is in progress). The call was not
/// admitted, so it had no effect.
/// </summary>
[GenerateSerializer, Alias("zk.NotLeaderException")]
public sealed class NotLeaderException : Exception
{
    public NotLeaderException(long replicaId, long? leaderId)
        : base(leaderId is { } l ? $"replica {replicaId} is not the leader; the leader is {l}" : $"replica {replicaId} is not the leader; an election is in progress")
    {
        ReplicaId = replicaId;
        LeaderId = leaderId;
    }

    /// <summary>The replica that refused.</summary>
    [Id(0)] public long ReplicaId { get; }

    /// <summary>The leader it knows of; null during an election.</summary>
    [Id(1)] public long? LeaderId { get; }
}

/// <summary>
/// One replica's view (the shell's <c>srvr</c>): its role (Looking, Following, Leading) and ZAB
/// phase, the leader and epoch it knows, its epochs and zxids, whether it serves clients (a leader
/// that has synchronised and applied its history), the followers in sync with it and the sync plans
/// it sent (a leader's), and how long its last election took; the nodes and open sessions of its
/// tree as applied (the four-letter words' node count), its sessions' ephemeral nodes and its
/// approximate data size (mntr's zk_ephemerals_count and zk_approximate_data_size); and where its
/// writes spent their time since it was activated (<see cref="StageLatency"/>, in the order of
/// <see cref="StageLatency.Names"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("zk.ReplicaStatus")]
public sealed record ReplicaStatus(
    long ReplicaId,
    bool Reachable,
    string Role,
    string Phase,
    long? LeaderId,
    long Epoch,
    long CurrentEpoch,
    long AcceptedEpoch,
    long LastZxid,
    long CommittedZxid,
    long AppliedZxid,
    bool Serving,
    IReadOnlyList<long> FollowersInSync,
    long DiffSyncs,
    long TruncSyncs,
    long SnapSyncs,
    long LastElectionMs,
    string? Detail = null,
    int NodeCount = 0,
    int SessionCount = 0,
    int EphemeralCount = 0,
    long ApproximateDataSize = 0,
    IReadOnlyList<StageLatency>? Stages = null);

/// <summary>
/// Where a replica's writes spent their time since it was activated (docs/service.md, "Where a
/// write's time goes"): one duration histogram per stage (<see cref="Names"/>), as
/// <see cref="LatencyHistogram"/> counts them. Subtract an earlier one (<see cref="Since"/>) for
/// what happened in between.
/// </summary>
[GenerateSerializer, Immutable, Alias("zk.StageLatency")]
public sealed record StageLatency(string Name, long Count, long SumUs, long MaxUs, IReadOnlyList<long> Buckets)
{
    /// <summary>A write at the leader, from admission to its reply (every replica's writes it led).</summary>
    public const string Write = "write_time";
    /// <summary>A batch of the log, queued until the group-commit thread takes it.</summary>
    public const string LogWait = "log_wait_time";
    /// <summary>A batch of the log written and fsync'd (ZooKeeper's fsynctime).</summary>
    public const string Fsync = "fsynctime";
    /// <summary>A durable batch, until the replica's loop takes it up (a thread hand-off).</summary>
    public const string Resume = "durable_resume_time";
    /// <summary>A leader's segment of committed writes, from sending its deliveries until every partition acknowledged.</summary>
    public const string Delivery = "delivery_time";

    /// <summary>The stages, in the order a write passes them.</summary>
    public static readonly IReadOnlyList<string> Names = [Write, LogWait, Fsync, Resume, Delivery];

    public static StageLatency Of(string name, LatencyHistogram histogram)
    {
        var (count, sum, max, buckets) = histogram.Snapshot();
        return new StageLatency(name, count, sum, max, buckets);
    }

    /// <summary>
    /// The samples taken after <paramref name="earlier"/> (a snapshot of the same histogram); its
    /// maximum is this one's. All of this one when <paramref name="earlier"/> is not an earlier
    /// snapshot of it (null, or more samples: the replica was activated again in between).
    /// </summary>
    public StageLatency Since(StageLatency? earlier)
    {
        if (earlier is null || earlier.Buckets.Count != Buckets.Count || earlier.Count > Count) return this;
        var buckets = new long[Buckets.Count];
        for (var i = 0; i < buckets.Length; i++) buckets[i] = Buckets[i] - earlier.Buckets[i];
        return new StageLatency(Name, Count - earlier.Count, SumUs - earlier.SumUs, MaxUs, buckets);
    }

    /// <summary>The <paramref name="quantile"/> in milliseconds (bucket resolution: at most 25% high).</summary>
    public double QuantileMs(double quantile) => LatencyHistogram.Quantile(Buckets, quantile) / 1000.0;

    public double AverageMs => Count == 0 ? 0 : SumUs / 1000.0 / Count;
}

/// <summary>A replica's tree digest at <paramref name="Zxid"/> (what it has applied), and its node count.</summary>
[GenerateSerializer, Immutable, Alias("zk.TreeDigest")]
public sealed record TreeDigest(long ReplicaId, long Zxid, ulong Digest, int Nodes);

/// <summary>
/// A batch of ZAB messages from replica <paramref name="From"/> (<c>ZabWire</c> format), chunk
/// <paramref name="Chunk"/> of <paramref name="Chunks"/> of batch <paramref name="Batch"/> (large
/// batches — a SNAP's snapshot — travel in chunks, not one message of the whole tree).
/// </summary>
[GenerateSerializer, Immutable, Alias("zk.ZabPacket")]
public sealed record ZabPacket(long From, long Batch, int Chunk, int Chunks, byte[] Data);

/// <summary>The outcome of addauth: Ok (and the session's new auth version) or AuthFailed.</summary>
[GenerateSerializer, Immutable, Alias("zk.AuthReply")]
public sealed record AuthReply(ZkErrorCode Code, int AuthVersion);

/// <summary>
/// One of the P partitions (keyed by index; a path's partition is <see cref="PathHash.PartitionOf"/>).
/// A projection of the replicated tree: it applies the leader's effects in chain order (idempotent by
/// zxid), is brought up to date by the leader (a DIFF of effects or an image), and serves reads at
/// or above the caller's zxid — from committed data only, even while there is no leader.
/// </summary>
public interface IZkPartitionGrain : IGrainWithIntegerKey
{
    Task<ReadReply> Read(ReadCall call);

    /// <summary>
    /// Effects from the leader; returns once they are applied (or buffered behind a gap being filled),
    /// with the watches they fired here (one-shot ones are removed): in zxid order, a txn's in its
    /// trigger order; null when none fired.
    /// </summary>
    Task<IReadOnlyList<FiredWatch>?> Deliver(PartitionDelivery delivery);

    /// <summary>Replaces the whole content with the leader's image (catch-up beyond the leader's effect history).</summary>
    Task Load(PartitionImage image);

    /// <summary>Where this partition stands: whether it holds data, and the zxid it is complete through.</summary>
    Task<PartitionPosition> GetPosition();

    /// <summary>
    /// addWatch: a persistent or persistent-recursive watch of <paramref name="sessionId"/> on
    /// <paramref name="path"/> (the node need not exist; no permission is needed, as in ZooKeeper),
    /// set at state at least <paramref name="minZxid"/>. A recursive watch is registered in every
    /// partition before the reply. Ok or BadArguments (path); the reply's zxid is as a read's.
    /// </summary>
    Task<ReadReply> AddWatch(long sessionId, string path, AddWatchMode mode, long minZxid);

    /// <summary>
    /// removeWatches (ZooKeeper's rules, see <see cref="WatcherType"/>) at state at least
    /// <paramref name="minZxid"/>: Ok, or NoWatcher when the session had no such watch on the path.
    /// ZooKeeper's <c>local</c> flag is the client's business (remove without asking the service).
    /// </summary>
    Task<ReadReply> RemoveWatches(long sessionId, string path, WatcherType type, long minZxid);

    /// <summary>Another partition fanning out a recursive watch: adds (or, <paramref name="add"/> false, removes) it here; true if it was there.</summary>
    Task<bool> SetRecursiveWatch(long sessionId, string path, bool add, long minZxid);

    /// <summary>
    /// The leader's re-registration of a session's watches, at state <paramref name="at"/>.<c>Zxid</c>
    /// (<see cref="WatchTable.Reregister"/>): registers them and returns the events that fire at once,
    /// in zxid order. <paramref name="at"/> also says the last zxid through it that touched this
    /// partition: a partition that has every delivery through that one is complete through
    /// <c>at.Zxid</c> (as <see cref="Advance"/> says), which it may learn no other way while the
    /// leader holds later deliveries behind this re-registration.
    /// </summary>
    Task<IReadOnlyList<FiredWatch>> SetWatches(long sessionId, long lastZxid, PartitionMark at, WatchSet watches);

    /// <summary>Sessions that ended (closed or expired): their registrations here are dropped.</summary>
    [OneWay]
    Task DropSessions(IReadOnlyList<long> sessionIds);

    /// <summary>
    /// The leader's periodic "complete through" notice: a partition complete through at least
    /// <paramref name="lastTouched"/> (the last zxid at or below <paramref name="watermark"/> that
    /// touched it) is complete through <paramref name="watermark"/>.
    /// </summary>
    [OneWay]
    Task Advance(long leaderId, long epoch, long lastTouched, long watermark);

    /// <summary>How many of this partition's nodes lie strictly below <paramref name="path"/>, at state at least <paramref name="minZxid"/>.</summary>
    Task<int> CountDescendants(string path, long minZxid);
}

/// <summary>The silo configured to host a replica is not in the cluster, so the replica is down (it is never moved elsewhere).</summary>
[GenerateSerializer, Alias("zk.ReplicaUnavailableException")]
public sealed class ReplicaUnavailableException : Exception
{
    public ReplicaUnavailableException(string message, string? lockedPath = null) : base(message) => LockedPath = lockedPath;

    /// <summary>The lock file another process holds on the replica's data directory, when that is why.</summary>
    [Id(0)]
    public string? LockedPath { get; }
}

/// <summary>
/// The replica and partition activations of this silo, called without Orleans' messaging
/// (docs/service.md, "Calls inside a silo"): a ZkClient running inside a silo (the client port's
/// connections, or one made from the silo's own <c>IClusterClient</c>) finds this among the silo's
/// services and tries it before the grain call. Each answers exactly as the grain would.
/// </summary>
public interface IZkLocalCalls
{
    /// <summary>
    /// <see cref="IZkPartitionGrain.Read"/> of a partition activated here, answered at once under
    /// the partition's lock from the state its grain would read; false (make the grain call) for
    /// whatever it cannot answer at once: a partition not here or not holding the caller's zxid
    /// yet, a watch to set, a session whose identities it has not cached, getAllChildrenNumber.
    /// </summary>
    bool TryRead(int partition, ReadCall call, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ReadReply? reply);

    /// <summary>
    /// <see cref="IZkReplicaGrain.Submit"/> to replica <paramref name="replicaId"/> when it is
    /// activated here: run as a turn of that activation (the request copied, as a grain call copies
    /// it); false when it is not here.
    /// </summary>
    bool TrySubmit(long replicaId, long sessionId, int xid, WriteRequest request, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Task<WriteReply>? reply);
}
