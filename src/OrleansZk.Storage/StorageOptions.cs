namespace OrleansZk.Storage;

/// <summary>
/// Settings of a replica's on-disk store (bound from the <c>OrleansZk</c> configuration section by
/// the host; nothing here reads configuration or the environment itself).
/// </summary>
public sealed record StorageOptions
{
    /// <summary>The replica's data directory; holds <c>LOCK</c>, <c>log/</c> and <c>snap/</c>.</summary>
    public required string DataDir { get; init; }

    /// <summary>fsync before a write is acknowledged (default true). False skips every fsync of
    /// log, hard state and snapshots: only for tests and benchmarks — a machine crash may then lose
    /// acknowledged writes (a process crash does not: the page cache survives it).</summary>
    public bool ForceSync { get; init; } = true;

    /// <summary>Bytes preallocated (zero-filled) for each log segment, and the size at which the log
    /// rolls to a new segment (default 64 MiB). A record larger than this gets a segment of its own
    /// that grows past it.</summary>
    public long SegmentBytes { get; init; } = 64L << 20;

    /// <summary>Largest payload <see cref="TxnLog.Append(IReadOnlyList{Zab.LogEntry})"/> accepts, in bytes
    /// (default 64 MiB, at most 1 GiB, the format's cap). Only new appends are checked: records
    /// already in the log stay valid if the setting is lowered.</summary>
    public int MaxRecordBytes { get; init; } = 64 << 20;

    /// <summary>Take a DataTree snapshot after this many transactions since the last one (default 100,000).</summary>
    public long SnapCount { get; init; } = 100_000;

    /// <summary>Snapshots kept by a purge (default 3, at least 1); log segments are kept as far back
    /// as replay from the oldest kept snapshot needs.</summary>
    public int PurgeRetainCount { get; init; } = 3;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDir)) throw new ArgumentException("DataDir must be set", nameof(DataDir));
        if (SegmentBytes < 4096) throw new ArgumentException($"SegmentBytes must be at least 4096 (was {SegmentBytes})", nameof(SegmentBytes));
        if (MaxRecordBytes < 1 || MaxRecordBytes > SegmentFormat.MaxPayload)
            throw new ArgumentException($"MaxRecordBytes must be between 1 and {SegmentFormat.MaxPayload} (was {MaxRecordBytes})", nameof(MaxRecordBytes));
        if (SnapCount < 1) throw new ArgumentException($"SnapCount must be positive (was {SnapCount})", nameof(SnapCount));
        if (PurgeRetainCount < 1) throw new ArgumentException($"PurgeRetainCount must be at least 1 (was {PurgeRetainCount})", nameof(PurgeRetainCount));
    }
}
