namespace OrleansZk.Zab.Simulator;

/// <summary>The shape of one simulated run. Defaults are what CI uses.</summary>
public sealed record SimOptions
{
    public int Replicas { get; init; } = 3;
    public string? Mutant { get; init; }
    /// <summary>Ticks of the safety phase (faults on).</summary>
    public int FaultTicks { get; init; } = 1200;
    /// <summary>After healing, a leader must be established and a new proposal committed on a quorum within this many ticks.</summary>
    public int LivenessTicks { get; init; } = 200;
    /// <summary>Quiet ticks after liveness, by the end of which the leader must have committed everything it logged.</summary>
    public int QuiesceTicks { get; init; } = 60;
    /// <summary>Client proposals submitted per tick on average during the safety phase.</summary>
    public double ProposalsPerTick { get; init; } = 0.8;
    /// <summary>Per-tick probability of a crash.</summary>
    public double CrashRate { get; init; } = 1.0 / 90;
    /// <summary>Per-tick probability of a partition starting (when none is active).</summary>
    public double PartitionRate { get; init; } = 1.0 / 120;
    /// <summary>Probability that a Ready's writes are interrupted by a crash before fsync.</summary>
    public double CrashMidWriteRate { get; init; } = 0.002;
    /// <summary>Per-tick probability that some replica believing it leads is asked to confirm its leadership.</summary>
    public double ChecksPerTick { get; init; } = 0.2;
    /// <summary>The most ticks a Ready's persistence takes; null draws 0, 1 or 2 per seed.</summary>
    public int? PersistDelayTicks { get; init; }
    /// <summary>State-machine snapshot (and log compaction) every this many applied txns.</summary>
    public int SnapshotEvery { get; init; } = 30;
    /// <summary>Followers further behind than this are sent SNAP.</summary>
    public int SnapThresholdEntries { get; init; } = 50;
    public bool Trace { get; init; }
}

/// <summary>What one seed did.</summary>
public sealed record SeedResult(
    int Seed, IReadOnlyList<string> Violations, int Crashes, int Partitions, int Elections, int Commits,
    IReadOnlyList<int> LeaderLossTicks, long Ticks, long Messages, int TornCrashes, int Diffs, int Truncs, int Snaps, int LivenessTicks, int Confirmations = 0)
{
    public bool Failed => Violations.Count > 0;
    /// <summary>Leader changes: established leaders after the first one.</summary>
    public int LeaderChanges => Math.Max(0, Elections - 1);
}
