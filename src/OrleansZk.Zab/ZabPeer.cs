namespace OrleansZk.Zab;

/// <summary>
/// One ZAB replica as a pure state machine (etcd raft's <c>RawNode</c> shape). Feed it
/// <see cref="Tick"/>, <see cref="Step"/> and <see cref="Propose"/>; take the resulting work with
/// <see cref="Ready"/>; carry it out (persist, then send, then apply); call <see cref="Advance"/>.
/// No I/O, clock, thread or unseeded randomness. Not thread-safe: never call it concurrently.
/// <para>Between <see cref="Ready"/> and <see cref="Advance"/> no other member may be called:
/// the engine relies on the host having persisted and applied the previous batch.</para>
/// <para>Behaviour lives in the role objects (<see cref="ElectionRole"/>, <see cref="LeaderRole"/>,
/// <see cref="FollowerRole"/>) that the peer swaps as it changes state.</para>
/// </summary>
public sealed partial class ZabPeer
{
    readonly List<ZabMessage> outbox = [];
    Role role = null!;
    bool hardDirty, readyOutstanding;
    long appliedZxid;
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
        role.Established, Hard, Log.LastZxid, Committed, ElectionRound);

    /// <summary>Advances time by one tick (timeouts, heartbeats, vote re-broadcasts).</summary>
    public void Tick() { Guard(); role.Tick(); }

    /// <summary>Handles one incoming message. Messages for another replica are ignored.</summary>
    public void Step(ZabMessage message)
    {
        Guard();
        if (message.To != Id || message.From == Id) return;
        role.Step(message);
    }

    /// <summary>
    /// Submits an opaque txn payload. On the established leader it gets the next zxid and is
    /// proposed; on a follower it is forwarded to the leader (<see cref="ProposeStatus.Forwarded"/>);
    /// otherwise it is refused with <see cref="ProposeStatus.NotLeader"/>.
    /// </summary>
    public ProposeResult Propose(byte[] payload) { Guard(); return role.Propose(payload); }

    /// <summary>True if <see cref="Ready"/> has work.</summary>
    public bool HasReady => hardDirty || outbox.Count > 0 || pendingSnapshot is not null
        || Committed > appliedZxid || role.HasPendingBroadcast || Log.HasPendingWrites;

    /// <summary>
    /// Takes the accumulated work. The host must carry it out as <see cref="Zab.Ready"/>
    /// describes and then call <see cref="Advance"/> before any other call.
    /// </summary>
    public Ready Ready()
    {
        Guard();
        role.BeforeReady();
        var ready = new Ready
        {
            HardState = hardDirty ? Hard : null,
            Snapshot = pendingSnapshot,
            LogWrites = Log.TakeWrites(),
            Messages = outbox.ToArray(),
            Committed = Committed > appliedZxid ? Log.Slice(appliedZxid, Committed, int.MaxValue) : [],
        };
        outbox.Clear();
        hardDirty = false;
        pendingSnapshot = null;
        appliedZxid = Committed;
        readyOutstanding = true;
        return ready;
    }

    /// <summary>Acknowledges that the last <see cref="Ready"/> was persisted, sent and applied.</summary>
    public void Advance() => readyOutstanding = false;

    /// <summary>
    /// Lets the engine forget log entries up to <paramref name="zxid"/> (at most the applied
    /// zxid), after the host took a state-machine snapshot covering them. Followers behind the
    /// compacted point are then synced with SNAP.
    /// </summary>
    public void Compact(long zxid) { Guard(); Log.Compact(Math.Min(zxid, appliedZxid)); }

    void Guard()
    {
        if (readyOutstanding) throw new InvalidOperationException("Advance() must follow Ready() before any other call");
    }
}
