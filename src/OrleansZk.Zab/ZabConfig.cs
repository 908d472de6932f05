namespace OrleansZk.Zab;

/// <summary>
/// Engine settings. All durations are in ticks: the host calls <see cref="ZabPeer.Tick"/> at a
/// fixed interval of its choosing (e.g. every 50 ms).
/// </summary>
public sealed record ZabConfig
{
    /// <summary>This replica's id (ZooKeeper's myid).</summary>
    public required int Id { get; init; }
    /// <summary>Ids of all voting replicas, this one included.</summary>
    public required IReadOnlyList<int> Peers { get; init; }
    /// <summary>Seed of the engine's only source of randomness (election timeout jitter).</summary>
    public int Seed { get; init; }
    /// <summary>First interval between re-broadcasts of a looking replica's vote.</summary>
    public int ElectionTimeoutTicks { get; init; } = 4;
    /// <summary>The re-broadcast interval doubles up to this bound (exponential backoff).</summary>
    public int MaxElectionTimeoutTicks { get; init; } = 32;
    /// <summary>Once a quorum matches its vote, a looking replica that has not yet heard every
    /// replica waits this many ticks for a better vote before deciding (FLE's finalizeWait).</summary>
    public int FinalizeWaitTicks { get; init; } = 1;
    /// <summary>Discovery plus synchronisation must finish within this many ticks, or the
    /// replica goes back to looking.</summary>
    public int InitLimitTicks { get; init; } = 20;
    /// <summary>A follower that hears nothing from its leader, or a leader that does not hear
    /// from a quorum, for this many ticks goes back to looking.</summary>
    public int SyncLimitTicks { get; init; } = 10;
    /// <summary>Interval of the leader's PING and of a syncing follower's handshake retries.</summary>
    public int HeartbeatTicks { get; init; } = 2;
    /// <summary>A follower more than this many entries behind is sent a snapshot (SNAP).</summary>
    public int SnapThresholdEntries { get; init; } = 1000;
    /// <summary>At most this many log entries go into one PROPOSAL or sync message.</summary>
    public int MaxBatchEntries { get; init; } = 4096;
}

/// <summary>The pluggable decisions of the engine; defaults are the correct ones.</summary>
public sealed record ZabComponents
{
    /// <summary>The quorum rule.</summary>
    public IQuorum Quorum { get; init; } = MajorityQuorum.Instance;
    /// <summary>The sync planner; null means <see cref="SyncPlanner"/> with the config's threshold.</summary>
    public ISyncPlanner? Planner { get; init; }
}
