namespace OrleansZk.Zab;

/// <summary>
/// One ZAB replica as a pure state machine (etcd raft's <c>RawNode</c> shape). Feed it
/// <see cref="Tick"/>, <see cref="Step"/> and <see cref="Propose"/>; take the resulting work with
/// <see cref="Ready"/>; carry it out (persist, then send, then apply); call <see cref="Advance"/>.
/// No I/O, clock, thread or unseeded randomness. Not thread-safe: never call it concurrently.
/// <para>Readies may be pipelined (etcd raft's asynchronous storage writes): the host may take the
/// next <see cref="Ready"/> and go on calling <see cref="Step"/>, <see cref="Tick"/> and
/// <see cref="Propose(byte[])"/> while earlier ones are still being persisted, provided it executes
/// them strictly in order — each one's persistence after the previous one's, its messages, applies
/// and <see cref="Advance"/> after its own persistence and after the previous Ready's applies.
/// <see cref="ZabDriver"/> is that host loop. Everything a Ready exposes (messages, commits)
/// then reflects only state made durable by it or by earlier Readies, so the engine may count its
/// own in-memory log: by the time a consequence of it leaves, the log is durable. The one exception,
/// the leader's PROPOSALs (<see cref="Zab.Ready.Proposals"/>), says nothing about commits.</para>
/// <para>Behaviour lives in the role objects (<see cref="ElectionRole"/>, <see cref="LeaderRole"/>,
/// <see cref="FollowerRole"/>) that the peer swaps as it changes state.</para>
/// </summary>
public sealed partial class ZabPeer
{
    readonly List<ZabMessage> outbox = [];
    readonly List<ZabMessage> proposals = []; // the leader's PROPOSALs (Ready.Proposals)
    Role role = null!;
    bool hardDirty;
    int outstanding;        // Readies handed out and not yet advanced
    long appliedZxid;       // the last zxid handed out in a Ready's Committed list
    long checkToken;        // the last leadership-check token handed out
    long confirmedOut;      // a confirmed token for the next Ready (0: none)
    ZabSnapshot? pendingSnapshot;

    /// <summary>
    /// Recovers a replica from its storage. <paramref name="appliedZxid"/> is the zxid the state
    /// machine already reflects (its snapshot's zxid after a restart, 0 for a fresh replica); the
    /// engine starts in the election phase.
    /// </summary>
    public ZabPeer(ZabConfig config, IZabStorage storage, IZabStateMachine stateMachine,
        long appliedZxid = 0, ZabComponents? components = null)
    {
        Config = config;
        StateMachine = stateMachine;
        var c = components ?? new ZabComponents();
        Quorum = c.Quorum;
        Planner = c.Planner ?? new SyncPlanner(config.SnapThresholdEntries);
        Rng = new Random(config.Seed);
        Hard = storage.HardState;
        Log = new ZabLog(storage.BaseZxid, storage.ReadRange(storage.BaseZxid, storage.LastZxid));
        this.appliedZxid = Committed = appliedZxid;
        // The state is at a zxid the log does not hold: a crash between installing a snapshot and
        // resetting the log. The log's content is then meaningless; restart it at the snapshot.
        if (!Log.Contains(appliedZxid)) Log.Reset(appliedZxid);
        BecomeLooking();
    }

    /// <summary>This replica's id.</summary>
    public int Id => Config.Id;
    internal ZabConfig Config { get; }
    internal IZabStateMachine StateMachine { get; }
    internal IQuorum Quorum { get; }
    internal ISyncPlanner Planner { get; }
    internal Random Rng { get; }
    internal ZabLog Log { get; }
    internal HardState Hard { get; private set; }
    internal long Committed { get; private set; }
    internal long ElectionRound { get; set; }
    /// <summary>The leader this replica last promised <see cref="HardState.AcceptedEpoch"/> to
    /// (memory only: after a restart every promise counts as given to someone else).</summary>
    internal int? AcceptedFrom { get; set; }
    internal int ClusterSize => Config.Peers.Count;

    /// <summary>The current role, phase and positions.</summary>
    public PeerStatus Status => new(Id, role.State, role.Phase, role.LeaderId, role.SessionEpoch,
        role.Established, Hard, Log.LastZxid, Committed, ElectionRound, RoleVersion, role.SyncedFollowers, SyncPlans.ToArray());

    /// <summary>The leader this replica follows or leads, or the one it expects (<see cref="PeerStatus.LeaderId"/> without building a status).</summary>
    public int? LeaderId => role.LeaderId;

    /// <summary>Counts role changes.</summary>
    internal long RoleVersion { get; private set; }

    /// <summary>DIFF, TRUNC and SNAP plans sent as leader, by <see cref="SyncKind"/>.</summary>
    internal long[] SyncPlans { get; } = new long[3];

    /// <summary>Advances time by one tick (timeouts, heartbeats, vote re-broadcasts).</summary>
    public void Tick() => role.Tick();

    /// <summary>
    /// False while a tick cannot change anything: this peer is the established leader of a cluster of
    /// one (no follower to ping, to wait for or to lose, no timeout that can expire). A host may stop
    /// ticking then, as an idle server should not wake for nothing, and must tick again as soon as
    /// this is true, which it can only become through <see cref="Step"/> or <see cref="Propose(Func{long, byte[]})"/>
    /// (a leader whose epoch's counter runs out steps down to elect a new epoch).
    /// </summary>
    public bool NeedsTicks => !(ClusterSize == 1 && role.Established && role.State == PeerState.Leading);

    /// <summary>
    /// The host learnt that <paramref name="peer"/>'s process is gone — its connection was refused,
    /// its host declared dead — not merely that it is slow (a frozen or overloaded peer is left to
    /// the timeouts). A follower whose leader it is and that has not heard from it since its last
    /// tick stops following at once and looks for a new leader, as ZooKeeper's follower does when
    /// its leader's connection closes, rather than after <see cref="ZabConfig.SyncLimitTicks"/> of
    /// silence. Anywhere else it changes nothing: the timeouts still decide.
    /// </summary>
    public void Unreachable(int peer)
    {
        if (peer != Id) role.OnUnreachable(peer);
    }

    /// <summary>Handles one incoming message. Messages for another replica are ignored.</summary>
    public void Step(ZabMessage message)
    {
        if (message.To != Id || message.From == Id) return;
        role.Step(message);
    }

    /// <summary>
    /// Submits an opaque txn payload. On the established leader it gets the next zxid and is
    /// proposed; on a follower it is forwarded to the leader (<see cref="ProposeStatus.Forwarded"/>);
    /// otherwise it is refused with <see cref="ProposeStatus.NotLeader"/>.
    /// </summary>
    public ProposeResult Propose(byte[] payload) => role.Propose(payload);

    /// <summary>
    /// On the established leader: takes the next zxid, asks <paramref name="payloadFor"/> for the
    /// txn that carries it (so the caller never picks zxids itself) and proposes it. If
    /// <paramref name="payloadFor"/> throws, nothing is proposed and the exception propagates.
    /// Anywhere else: <see cref="ProposeStatus.NotLeader"/> (with the leader id if one is known),
    /// and <paramref name="payloadFor"/> is not called.
    /// </summary>
    public ProposeResult Propose(Func<long, byte[]> payloadFor) => role.Propose(payloadFor);

    /// <summary>
    /// On the established leader: starts a check that this replica is still the leader (etcd raft's
    /// ReadIndex): returns a token, and a later <see cref="Zab.Ready.LeadershipConfirmed"/> at or
    /// above it says that a quorum acknowledged this leader's epoch after the call — so no newer
    /// leader can have committed anything before that moment. Returns 0 anywhere else. Checks
    /// requested together share one round of PINGs. A confirmation covers only the checks
    /// requested during the current leadership: those of an earlier one (leadership lost) are
    /// never confirmed, and the host drops them when the role changes.
    /// </summary>
    public long RequestLeadershipCheck()
    {
        if (role.State != PeerState.Leading || !role.Established) return 0;
        role.OnCheckRequested(++checkToken);
        return checkToken;
    }

    /// <summary>True if <see cref="Ready"/> has work.</summary>
    public bool HasReady => hardDirty || outbox.Count > 0 || proposals.Count > 0 || pendingSnapshot is not null || confirmedOut > 0
        || Committed > appliedZxid || role.HasPendingBroadcast || Log.HasPendingWrites;

    /// <summary>Readies handed out and not yet acknowledged with <see cref="Advance"/>.</summary>
    public int Outstanding => outstanding;

    /// <summary>
    /// Takes the accumulated work. The host must carry it out as <see cref="Zab.Ready"/>
    /// describes and then call <see cref="Advance"/>; it may take further Readies meanwhile
    /// (see the class remarks on pipelining).
    /// </summary>
    public Ready Ready()
    {
        role.BeforeReady();
        var ready = new Ready
        {
            HardState = hardDirty ? Hard : null,
            Snapshot = pendingSnapshot,
            LogWrites = Log.TakeWrites(),
            Messages = outbox.ToArray(),
            Proposals = proposals.Count > 0 ? proposals.ToArray() : [],
            Committed = Committed > appliedZxid ? Log.Slice(appliedZxid, Committed, int.MaxValue) : [],
            LeadershipConfirmed = confirmedOut,
        };
        outbox.Clear();
        proposals.Clear();
        hardDirty = false;
        pendingSnapshot = null;
        confirmedOut = 0;
        appliedZxid = Committed;
        outstanding++;
        return ready;
    }

    /// <summary>Acknowledges that the oldest outstanding <see cref="Ready"/> was persisted, sent and applied.</summary>
    public void Advance()
    {
        if (outstanding == 0) throw new InvalidOperationException("Advance() without an outstanding Ready()");
        outstanding--;
    }

    /// <summary>
    /// Lets the engine forget log entries up to <paramref name="zxid"/> (at most the zxid handed out
    /// as committed), after the host took a state-machine snapshot covering them. Followers behind the
    /// compacted point are then synced with SNAP.
    /// </summary>
    public void Compact(long zxid) => Log.Compact(Math.Min(zxid, appliedZxid));
}
