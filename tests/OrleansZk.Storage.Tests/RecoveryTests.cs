namespace OrleansZk.Storage.Tests;

/// <summary>Crash simulation by hand: tear, zero, garble and flip bytes of segment files, then reopen.</summary>
public sealed class RecoveryTests : IDisposable
{
    private const int Payload = 60;
    private const int RecordHeader = 20;
    private const int RecordSize = RecordHeader + Payload;
    private const int HeaderSize = 32;
    private static long Start(long zxid) => HeaderSize + (zxid - 1) * RecordSize;

    private readonly TempDir _tmp = new();
    public void Dispose() => _tmp.Dispose();

    /// <summary>Writes records 1..count into one 4 KiB segment; returns the segment's bytes.</summary>
    private byte[] WriteLog(string dir, int count)
    {
        using var log = TxnLog.Open(dir, T.Options(dir));
        log.Append(T.Txns(1, count, Payload));
        log.Sync();
        return File.ReadAllBytes(T.Segments(dir).Single());
    }

    private string FreshCopy(byte[] segment, int iteration)
    {
        var dir = _tmp.Sub($"case{iteration}");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "log.0000000000000001"), segment);
        return dir;
    }

    public enum Tear { ZeroFilled, FileCut, Garbage }

    [Theory]
    [InlineData(Tear.ZeroFilled)]
    [InlineData(Tear.FileCut)]
    [InlineData(Tear.Garbage)]
    public void A_torn_last_record_is_cut_at_every_byte_offset_and_nothing_before_it_is_lost(Tear tear)
    {
        var original = WriteLog(_tmp.Sub("orig"), 5);
        var rng = new Random(42);
        for (var cut = Start(5); cut < Start(6); cut++)
        {
            var bytes = (byte[])original.Clone();
            switch (tear)
            {
                case Tear.ZeroFilled: Array.Clear(bytes, (int)cut, (int)(Start(6) - cut)); break;
                case Tear.FileCut: bytes = bytes[..(int)cut]; break;
                case Tear.Garbage:
                    for (var i = cut; i < Start(6); i++) bytes[i] = (byte)rng.Next(256);
                    break;
            }
            var dir = FreshCopy(bytes, (int)cut);
            using (var log = TxnLog.Open(dir, T.Options(dir)))
            {
                T.AssertSame(T.Txns(1, 4, Payload), log.ReadAfter(0));
                var damaged = tear == Tear.Garbage || cut > Start(5);
                if (damaged)
                {
                    Assert.Equal(Start(5), log.Recovery.TruncatedOffset);
                    Assert.EndsWith("log.0000000000000001", log.Recovery.TruncatedFile);
                }
                else Assert.Null(log.Recovery.TruncatedFile);
                // The log continues cleanly after the cut.
                log.Append([T.Txn(5, 9)]);
                log.Sync();
            }
            using (var again = TxnLog.Open(dir, T.Options(dir)))
            {
                Assert.Null(again.Recovery.TruncatedFile);
                T.AssertSame(T.Txns(1, 4, Payload).Append(T.Txn(5, 9)), again.ReadAfter(0));
            }
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_crc_mismatch_in_the_last_record_is_a_torn_tail()
    {
        var bytes = WriteLog(_tmp.Sub("orig"), 5);
        bytes[Start(5) + RecordHeader + 7] ^= 0x01;
        var dir = FreshCopy(bytes, 0);
        using var log = TxnLog.Open(dir, T.Options(dir));
        T.AssertSame(T.Txns(1, 4, Payload), log.ReadAfter(0));
        Assert.Equal("payload CRC mismatch", log.Recovery.Problem);
        Assert.Equal(RecordSize, log.Recovery.DiscardedBytes);
    }

    [Fact]
    public void Garbage_in_the_preallocated_space_after_the_last_record_is_cut()
    {
        var bytes = WriteLog(_tmp.Sub("orig"), 5);
        new Random(7).NextBytes(bytes.AsSpan(3000, 500));
        var dir = FreshCopy(bytes, 0);
        using (var log = TxnLog.Open(dir, T.Options(dir)))
        {
            T.AssertSame(T.Txns(1, 5, Payload), log.ReadAfter(0));
            Assert.Equal(Start(6), log.Recovery.TruncatedOffset);
        }
        // Cut means zero-filled: the file is all zeros after the records now.
        var after = File.ReadAllBytes(T.Segments(dir).Single());
        Assert.Equal(4096, after.Length);
        Assert.True(after.AsSpan((int)Start(6)).IndexOfAnyExcept((byte)0) < 0);
    }

    [Fact]
    public void Megabytes_of_garbage_after_the_last_record_are_searched_and_cut()
    {
        var dir = _tmp.Sub("big");
        var options = T.Options(dir, segmentBytes: 4 << 20);
        using (var log = TxnLog.Open(dir, options))
        {
            log.Append(T.Txns(1, 5, Payload));
            log.Sync();
        }
        var seg = T.Segments(dir).Single();
        var bytes = File.ReadAllBytes(seg);
        new Random(3).NextBytes(bytes.AsSpan((int)Start(6), 2 << 20));
        File.WriteAllBytes(seg, bytes);
        using var reopened = TxnLog.Open(dir, options);
        T.AssertSame(T.Txns(1, 5, Payload), reopened.ReadAfter(0));
        Assert.Equal(2 << 20, reopened.Recovery.DiscardedBytes);
    }

    [Fact]
    public void A_flipped_byte_anywhere_in_a_middle_record_stops_startup_naming_file_and_offset()
    {
        var original = WriteLog(_tmp.Sub("orig"), 10);
        for (var at = Start(5); at < Start(6); at++)
        {
            var bytes = (byte[])original.Clone();
            bytes[at] ^= 0x10;
            var dir = FreshCopy(bytes, (int)at);
            var e = Assert.Throws<LogCorruptException>(() => TxnLog.Open(dir, T.Options(dir)));
            Assert.Equal(Start(5), e.Offset);
            Assert.EndsWith("log.0000000000000001", e.FilePath);
            Assert.Contains($"offset {Start(5)}", e.Message);
            Assert.Contains("followed by a valid record", e.Message);
            // Nothing was repaired behind the operator's back.
            Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(dir, "log.0000000000000001")));
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_zeroed_record_before_valid_ones_is_corruption_not_a_tail()
    {
        var bytes = WriteLog(_tmp.Sub("orig"), 10);
        Array.Clear(bytes, (int)Start(3), RecordSize);
        var dir = FreshCopy(bytes, 0);
        var e = Assert.Throws<LogCorruptException>(() => TxnLog.Open(dir, T.Options(dir)));
        Assert.Equal(Start(3), e.Offset);
    }

    [Fact]
    public void Stale_records_beyond_a_truncation_never_come_back_or_look_like_corruption()
    {
        var dir = _tmp.Sub("log");
        using (var log = TxnLog.Open(dir, T.Options(dir)))
        {
            log.Append(T.Txns(1, 10, Payload));
            log.TruncateAfter(5);
            log.Append(T.Txns(6, 7, size: 20));
            log.Sync();
        }
        // Tear the last new record.
        var seg = T.Segments(dir).Single();
        var bytes = File.ReadAllBytes(seg);
        var lastStart = Start(6) + RecordHeader + 20;
        Array.Clear(bytes, (int)lastStart + 20, 16);
        File.WriteAllBytes(seg, bytes);
        using var reopened = TxnLog.Open(dir, T.Options(dir));
        T.AssertSame(T.Txns(1, 5, Payload).Append(T.Txn(6, 20)), reopened.ReadAfter(0));
        Assert.Equal(lastStart, reopened.Recovery.TruncatedOffset);
    }

    [Fact]
    public void Damage_in_a_sealed_segment_or_its_header_or_a_missing_segment_stops_startup()
    {
        var dir = _tmp.Sub("log");
        using (var log = TxnLog.Open(dir, T.Options(dir)))
        {
            log.Append(T.Txns(1, 200, Payload));
            log.Sync();
        }
        var segs = T.Segments(dir);
        Assert.True(segs.Length >= 4);
        var saved = segs.ToDictionary(s => s, File.ReadAllBytes);

        // The tail of a sealed (not last) segment.
        var b = (byte[])saved[segs[1]].Clone();
        b[^3] ^= 0xFF;
        File.WriteAllBytes(segs[1], b);
        var e = Assert.Throws<LogCorruptException>(() => TxnLog.Open(dir, T.Options(dir)));
        Assert.Equal(segs[1], e.FilePath);
        Assert.Contains("not the last", e.Message);
        File.WriteAllBytes(segs[1], saved[segs[1]]);

        // A header.
        b = (byte[])saved[segs[2]].Clone();
        b[17] ^= 0x01;
        File.WriteAllBytes(segs[2], b);
        e = Assert.Throws<LogCorruptException>(() => TxnLog.Open(dir, T.Options(dir)));
        Assert.Equal((segs[2], 0L), (e.FilePath, e.Offset));
        Assert.Contains("header CRC", e.Message);
        File.WriteAllBytes(segs[2], saved[segs[2]]);

        // A missing middle segment.
        File.Delete(segs[1]);
        e = Assert.Throws<LogCorruptException>(() => TxnLog.Open(dir, T.Options(dir)));
        Assert.Equal(segs[2], e.FilePath);
        Assert.Contains("missing", e.Message);
        File.WriteAllBytes(segs[1], saved[segs[1]]);

        using var ok = TxnLog.Open(dir, T.Options(dir));
        T.AssertSame(T.Txns(1, 200, Payload), ok.ReadAfter(0));
    }

    [Fact]
    public void An_unfinished_segment_creation_is_discarded()
    {
        var dir = _tmp.Sub("log");
        using (var log = TxnLog.Open(dir, T.Options(dir)))
        {
            log.Append(T.Txns(1, 3, Payload));
            log.Sync();
        }
        File.WriteAllBytes(Path.Combine(dir, "log.0000000000000002.tmp"), [1, 2, 3]);
        using var reopened = TxnLog.Open(dir, T.Options(dir));
        T.AssertSame(T.Txns(1, 3, Payload), reopened.ReadAfter(0));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }
}
