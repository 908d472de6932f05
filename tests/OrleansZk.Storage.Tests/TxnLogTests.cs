using OrleansZk.Zab;

namespace OrleansZk.Storage.Tests;

public sealed class TxnLogTests : IDisposable
{
    private readonly TempDir _tmp = new();
    public void Dispose() => _tmp.Dispose();

    private TxnLog Open(bool forceSync = false, long segmentBytes = 4096) => TxnLog.Open(_tmp.Path, T.Options(_tmp.Path, forceSync, segmentBytes));

    [Fact]
    public void New_log_is_empty_and_preallocated_zeros_are_not_records()
    {
        using (var log = Open(segmentBytes: 1 << 20))
        {
            Assert.Equal(0, log.BaseZxid);
            Assert.Equal(0, log.LastZxid);
            Assert.Equal(default, log.HardState);
        }
        var seg = Assert.Single(T.Segments(_tmp.Path));
        Assert.Equal(1 << 20, new FileInfo(seg).Length);
        using var reopened = Open(segmentBytes: 1 << 20);
        Assert.Equal(0, reopened.Count);
        Assert.Null(reopened.Recovery.TruncatedFile);
    }

    [Fact]
    public void Appended_records_read_back_before_and_after_reopen()
    {
        var txns = T.Txns(1, 50);
        using (var log = Open(forceSync: true))
        {
            log.Append(txns[..20]);
            log.Append(txns[20..]);
            T.AssertSame(txns, log.ReadRange(0, 50));
            T.AssertSame(txns[10..15], log.ReadRange(10, 15));
            log.Sync();
        }
        using var reopened = Open(forceSync: true);
        Assert.Equal(50, reopened.LastZxid);
        T.AssertSame(txns, reopened.ReadRange(0, long.MaxValue));
        T.AssertSame(txns[40..], reopened.ReadAfter(40));
    }

    [Fact]
    public void Zxids_must_increase_and_a_bad_batch_writes_nothing()
    {
        using var log = Open();
        log.Append(T.Txns(1, 3));
        Assert.Throws<ArgumentException>(() => log.Append([T.Txn(4), T.Txn(4)]));
        Assert.Throws<ArgumentException>(() => log.Append([T.Txn(3)]));
        Assert.Equal(3, log.LastZxid);
        log.Append([T.Txn(10)]);
        Assert.Equal(10, log.LastZxid);
    }

    [Fact]
    public void Lowering_MaxRecordBytes_refuses_big_appends_but_keeps_big_records_already_written()
    {
        using (var log = Open())
        {
            log.Append([T.Txn(1, 5000), T.Txn(2, 10)]);
            log.Sync();
        }
        var small = T.Options(_tmp.Path) with { MaxRecordBytes = 100 };
        using var reopened = TxnLog.Open(_tmp.Path, small);
        T.AssertSame([T.Txn(1, 5000), T.Txn(2, 10)], reopened.ReadAfter(0));
        Assert.Throws<ArgumentException>(() => reopened.Append([T.Txn(3, 101)]));
        reopened.Append([T.Txn(3, 100)]);
    }

    [Fact]
    public void Log_rolls_into_segments_and_recovers_across_them()
    {
        var txns = T.Txns(1, 300, size: 100); // ~35 KB over 4 KiB segments
        using (var log = Open(forceSync: true))
        {
            foreach (var chunk in txns.Chunk(7)) log.Append(chunk);
            log.Sync();
            Assert.True(log.SegmentCount > 5);
        }
        var segments = T.Segments(_tmp.Path);
        // Sealed segments are trimmed to their records; only the last keeps its preallocation.
        Assert.All(segments[..^1], s => Assert.True(new FileInfo(s).Length <= 4096));
        using var reopened = Open(forceSync: true);
        Assert.Equal(segments.Length, reopened.SegmentCount);
        T.AssertSame(txns, reopened.ReadRange(0, 300));
        T.AssertSame(txns[149..160], reopened.ReadRange(149, 160));
    }

    [Fact]
    public void A_record_larger_than_a_segment_gets_a_segment_of_its_own()
    {
        using (var log = Open())
        {
            log.Append([T.Txn(1, 100), T.Txn(2, 10_000), T.Txn(3, 100)]);
            log.Sync();
        }
        using var reopened = Open();
        T.AssertSame([T.Txn(1, 100), T.Txn(2, 10_000), T.Txn(3, 100)], reopened.ReadRange(0, 3));
    }

    [Fact]
    public void TruncateAfter_cuts_inside_and_across_segments_durably()
    {
        var txns = T.Txns(1, 200, size: 100);
        using (var log = Open(forceSync: true))
        {
            log.Append(txns);
            var segs = log.SegmentCount;
            log.TruncateAfter(150);
            Assert.Equal(150, log.LastZxid);
            log.TruncateAfter(20);
            Assert.True(log.SegmentCount < segs);
            T.AssertSame(txns[..20], log.ReadRange(0, 1000));
            log.TruncateAfter(500); // nothing above: no-op
        }
        using (var reopened = Open(forceSync: true))
        {
            T.AssertSame(txns[..20], reopened.ReadRange(0, 1000));
            // New history after the cut (different payloads at the same zxids).
            reopened.Append(T.Txns(21, 40, size: 7));
            reopened.Sync();
        }
        using var again = Open(forceSync: true);
        T.AssertSame(txns[..20].Concat(T.Txns(21, 40, size: 7)), again.ReadRange(0, 1000));
    }

    [Fact]
    public void Truncating_below_the_start_of_the_log_is_refused()
    {
        using var log = Open();
        log.ResetTo(1000);
        log.Append([T.Txn(1001)]);
        Assert.Throws<ArgumentOutOfRangeException>(() => log.TruncateAfter(999));
        log.TruncateAfter(1000);
        Assert.Equal(1000, log.LastZxid);
    }

    [Fact]
    public void ResetTo_discards_everything_and_survives_reopen_even_with_old_segments_left_behind()
    {
        string[] oldSegments;
        var saved = new Dictionary<string, byte[]>();
        using (var log = Open())
        {
            log.Append(T.Txns(1, 100, size: 100));
            log.Sync();
            oldSegments = T.Segments(_tmp.Path);
            foreach (var s in oldSegments) saved[s] = File.ReadAllBytes(s);
            log.ResetTo(5000);
            Assert.Equal(5000, log.BaseZxid);
            Assert.Equal(5000, log.LastZxid);
            Assert.Empty(log.ReadRange(0, long.MaxValue));
            Assert.Throws<ArgumentException>(() => log.Append([T.Txn(4000)]));
            log.Append(T.Txns(5001, 5003));
            log.Sync();
        }
        Assert.Single(T.Segments(_tmp.Path));
        // A crash between creating the reset segment and deleting the old ones: they come back.
        foreach (var (path, bytes) in saved) File.WriteAllBytes(path, bytes);
        using var reopened = Open();
        Assert.Equal(5000, reopened.BaseZxid);
        T.AssertSame(T.Txns(5001, 5003), reopened.ReadRange(0, long.MaxValue));
        Assert.Single(T.Segments(_tmp.Path));
    }

    [Fact]
    public void PurgeBefore_deletes_only_segments_wholly_at_or_below_the_zxid()
    {
        var txns = T.Txns(1, 200, size: 100);
        using (var log = Open())
        {
            log.Append(txns);
            log.Sync();
            var before = log.SegmentCount;
            var deleted = log.PurgeBefore(100);
            Assert.True(deleted > 0);
            Assert.Equal(before - deleted, log.SegmentCount);
            Assert.True(log.BaseZxid <= 100);
            T.AssertSame(txns[(int)log.BaseZxid..], log.ReadAfter(log.BaseZxid));
            log.PurgeBefore(long.MaxValue);
            Assert.Equal(1, log.SegmentCount); // the current segment always stays
        }
        using var reopened = Open();
        T.AssertSame(txns[(int)reopened.BaseZxid..], reopened.ReadAfter(0));
        Assert.Equal(200, reopened.LastZxid);
    }

    [Fact]
    public void Hard_state_is_durable_and_replaced_atomically()
    {
        using (var log = Open(forceSync: true))
        {
            log.Append(T.Txns(1, 3));
            log.SetHardState(new HardState(2, 3));
            Assert.Equal(new HardState(2, 3), log.HardState);
        }
        // A crash mid-replace leaves a temp file behind: ignored and removed.
        File.WriteAllBytes(Path.Combine(_tmp.Path, "hardstate.tmp"), [1, 2, 3]);
        using (var reopened = Open(forceSync: true))
        {
            Assert.Equal(new HardState(2, 3), reopened.HardState);
            Assert.Equal(3, reopened.LastZxid); // SetHardState synced the earlier appends
        }
        Assert.False(File.Exists(Path.Combine(_tmp.Path, "hardstate.tmp")));
        var hs = Path.Combine(_tmp.Path, "hardstate");
        var bytes = File.ReadAllBytes(hs);
        bytes[20] ^= 0x40;
        File.WriteAllBytes(hs, bytes);
        var e = Assert.Throws<LogCorruptException>(() => Open());
        Assert.Equal(hs, e.FilePath);
    }

    [Fact]
    public void Sync_fsyncs_only_when_forced_and_only_when_something_was_written()
    {
        using (var log = Open(forceSync: true))
        {
            log.Append(T.Txns(1, 3));
            log.Sync();
            log.Sync();
            Assert.Equal(1, log.SyncCount);
        }
        using var unsynced = Open(forceSync: false);
        unsynced.Append(T.Txns(4, 5));
        unsynced.Sync();
        Assert.Equal(0, unsynced.SyncCount);
    }

    [Fact]
    public void Implements_the_zab_persistence_order()
    {
        using (var log = Open(forceSync: true))
        {
            IZabStorage storage = log;
            storage.Append(T.Txns(1, 5));
            storage.TruncateAfter(3);
            storage.Append(T.Txns(4, 6, size: 3));
            storage.SetHardState(new HardState(1, 1));
            storage.Sync();
        }
        using var reopened = Open(forceSync: true);
        Assert.Equal(new HardState(1, 1), reopened.HardState);
        T.AssertSame(T.Txns(1, 3).Concat(T.Txns(4, 6, size: 3)), reopened.ReadRange(0, 10));
    }
}
