using OrleansZk.Zab;

namespace OrleansZk.Storage;

/// <summary>
/// A replica's file transaction log: a directory of segment files (<c>log.&lt;seq hex&gt;</c>, each
/// preallocated to <see cref="StorageOptions.SegmentBytes"/>), plus the <c>hardstate</c> file.
/// Implements the ZAB engine's <see cref="IZabStorage"/> contract: writes are visible at once and
/// durable after <see cref="Sync"/>; a crash leaves every synced write and a prefix of the later ones.
/// Format and recovery rules: docs/storage-format.md.
/// <para>Not thread-safe: never called concurrently (as <see cref="IZabStorage"/> requires). For many
/// concurrent writers put a <see cref="GroupCommitLog"/> in front, and then touch the log only through it.</para>
/// </summary>
public sealed partial class TxnLog : IZabStorage, IDisposable
{
    private readonly string _dir;
    private readonly StorageOptions _options;
    private readonly List<Segment> _segments;
    private HardState _hard;
    private bool _dirty;
    private bool _failed;
    private bool _disposed;
    private long _syncCount;
    private byte[] _buffer = new byte[64 * 1024];

    private TxnLog(string dir, StorageOptions options, List<Segment> segments, HardState hard, LogRecoveryReport report)
    {
        _dir = dir;
        _options = options;
        _segments = segments;
        _hard = hard;
        Recovery = report;
    }

    /// <summary>The directory holding the segments and the hard state.</summary>
    public string Directory => _dir;

    /// <summary>What recovery found and repaired when the log was opened.</summary>
    public LogRecoveryReport Recovery { get; }

    /// <inheritdoc />
    public HardState HardState => _hard;

    /// <inheritdoc />
    public long BaseZxid => _segments[0].BaseZxid;

    /// <inheritdoc />
    public long LastZxid => Current.LastZxid;

    /// <summary>Number of records in the log.</summary>
    public long Count => _segments.Sum(s => (long)s.Records.Count);

    /// <summary>Number of segment files.</summary>
    public int SegmentCount => _segments.Count;

    /// <summary>The largest payload <see cref="Append(IReadOnlyList{LogEntry})"/> accepts.</summary>
    public int MaxRecordBytes => _options.MaxRecordBytes;

    /// <summary>fsyncs of segment files so far (tests and benchmarks count group commits with it).</summary>
    internal long SyncCount => Volatile.Read(ref _syncCount);

    /// <summary>Test hook: runs just before each fsync of a segment (lets a test hold a sync open).</summary>
    internal Action? BeforeSync { get; set; }

    private Segment Current => _segments[^1];

    private void CheckUsable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_failed) throw new InvalidOperationException("the log failed an earlier write; reopen it to recover");
    }

    /// <summary>Runs a write; any exception leaves the log unusable (its on-disk state is then only
    /// known to recovery).</summary>
    private void Guard(Action write)
    {
        CheckUsable();
        try
        {
            write();
        }
        catch
        {
            _failed = true;
            throw;
        }
    }

    private void SyncSegment(Segment segment)
    {
        if (!_options.ForceSync) return;
        BeforeSync?.Invoke();
        FileSync.SyncFile(segment.Handle);
        Interlocked.Increment(ref _syncCount);
    }

    /// <summary>Closes the files. Writes not yet <see cref="Sync"/>ed are not promised durable.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var s in _segments) s.Dispose();
    }
}

/// <summary>What opening a log found.</summary>
/// <param name="Segments">Segment files in use after recovery.</param>
/// <param name="Records">Valid records found.</param>
/// <param name="TruncatedFile">The segment whose damaged tail was cut, or null if none was.</param>
/// <param name="TruncatedOffset">Offset of the cut in <paramref name="TruncatedFile"/>.</param>
/// <param name="DiscardedBytes">Non-zero bytes discarded at the cut (a torn record).</param>
/// <param name="Problem">What was wrong with the first discarded record, or null.</param>
public sealed record LogRecoveryReport(int Segments, long Records, string? TruncatedFile, long TruncatedOffset, long DiscardedBytes, string? Problem);
