using Orleans;
using Orleans.Concurrency;
using OrleansZk.Core;

namespace OrleansZk;

/// <summary>
/// One ensemble member (keyed by replica id, like ZooKeeper's myid), pinned to the silo configured
/// to host it. It owns the DataTree and the transaction log: it orders, prepares, logs (one fsync
/// per batch) and applies every write, and delivers the effects to the partitions in zxid order.
/// Every method may interleave: the replica runs one internal pipeline and never awaits anything
/// that could call back into it while holding its turn.
/// </summary>
public interface IZkReplicaGrain : IGrainWithIntegerKey
{
    /// <summary>Opens a session with a replicated createSession.</summary>
    Task<SessionInfo> CreateSession(int timeoutMs, byte[] password);

    /// <summary>
    /// Reattaches to an open session (a new client, even in another process): null when the
    /// session is unknown, expired or closed, or the password does not match. Counts as a heartbeat.
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
    /// docs/watches.md), in order with the replica's batches: every batch before it has been
    /// delivered and its events numbered, the partitions register the watches and fire what changed
    /// after <paramref name="lastZxid"/> (returned in the reply, not on the stream), and only then
    /// does the next batch reach the partitions. An empty set registers nothing and only tells where
    /// the stream stands (the client's first subscription). SessionExpired when the session is not open.
    /// </summary>
    Task<WatchesReply> SetWatches(long sessionId, long lastZxid, WatchSet watches);

    /// <summary>
    /// A write (create, delete, setData, setACL, check, multi, closeSession) of session
    /// <paramref name="sessionId"/>. Writes of one session take effect in <paramref name="xid"/>
    /// order (1, 2, 3, ...) whatever order they arrive in; the reply comes once the effect is
    /// durable and visible to reads.
    /// </summary>
    Task<WriteReply> Submit(long sessionId, int xid, WriteRequest request);

    /// <summary>sync: ordered with the session's writes; the reply's zxid is everything applied when it passed.</summary>
    Task<WriteReply> Sync(long sessionId, int xid, string path);

    /// <summary>addauth: adds a proven identity to the session (digest scheme); AuthFailed for other schemes.</summary>
    Task<AuthReply> AddAuth(long sessionId, string scheme, byte[] auth);

    /// <summary>The session's ephemeral paths under <paramref name="prefix"/>, sorted.</summary>
    Task<IReadOnlyList<string>> GetEphemerals(long sessionId, string prefix);

    Task<ServiceInfo> GetServiceInfo();

    /// <summary>
    /// A partition's whole content, for its catch-up or (<paramref name="activation"/>) a new
    /// activation — which has no watch registrations: if the partition was active before, the
    /// replica counts a loss of registrations, which pings report so clients re-register.
    /// </summary>
    Task<PartitionImage> GetPartitionImage(int partition, bool activation);

    /// <summary>Where the replica stands for one partition (for reads above the partition's watermark).</summary>
    Task<PartitionWatermark> GetWatermark(int partition);

    /// <summary>A session's proven identities, for partitions' ACL checks.</summary>
    Task<SessionAuth> GetSessionAuth(long sessionId);
}

/// <summary>The outcome of addauth: Ok (and the session's new auth version) or AuthFailed.</summary>
[GenerateSerializer, Immutable, Alias("zk.AuthReply")]
public sealed record AuthReply(ZkErrorCode Code, int AuthVersion);

/// <summary>
/// One of the P partitions (keyed by index; a path's partition is <see cref="PathHash.PartitionOf"/>).
/// A projection of the replicated tree: it applies effects in zxid order (idempotent by zxid),
/// rebuilds itself from the replica on activation, and serves reads at or above the caller's zxid.
/// </summary>
public interface IZkPartitionGrain : IGrainWithIntegerKey
{
    Task<ReadReply> Read(ReadCall call);

    /// <summary>
    /// Effects from the replica; returns once they are applied (or buffered behind a gap being filled),
    /// with the watches they fired here (one-shot ones are removed): in zxid order, a txn's in its
    /// trigger order; null when none fired.
    /// </summary>
    Task<IReadOnlyList<FiredWatch>?> Deliver(PartitionDelivery delivery);

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
    /// The replica's re-registration of a session's watches, at state <paramref name="atZxid"/>
    /// (<see cref="WatchTable.Reregister"/>): registers them and returns the events that fire at once,
    /// in zxid order.
    /// </summary>
    Task<IReadOnlyList<FiredWatch>> SetWatches(long sessionId, long lastZxid, long atZxid, WatchSet watches);

    /// <summary>Sessions that ended (closed or expired): their registrations here are dropped.</summary>
    [OneWay]
    Task DropSessions(IReadOnlyList<long> sessionIds);

    /// <summary>The replica's periodic "complete through" notice for partitions it has nothing to deliver to.</summary>
    [OneWay]
    Task Advance(long replicaId, long incarnation, long lastTouched, long watermark);

    /// <summary>How many of this partition's nodes lie strictly below <paramref name="path"/>, at state at least <paramref name="minZxid"/>.</summary>
    Task<int> CountDescendants(string path, long minZxid);
}

/// <summary>The silo configured to host a replica is not in the cluster, so the replica is down (it is never moved elsewhere).</summary>
[GenerateSerializer, Alias("zk.ReplicaUnavailableException")]
public sealed class ReplicaUnavailableException : Exception
{
    public ReplicaUnavailableException(string message) : base(message) { }
}
