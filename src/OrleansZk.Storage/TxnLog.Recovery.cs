using OrleansZk.Zab;

namespace OrleansZk.Storage;

public sealed partial class TxnLog
{
    /// <summary>
    /// Opens (creating if needed) the log in <paramref name="directory"/> and recovers it (of
    /// <paramref name="options"/> it uses ForceSync, SegmentBytes and MaxRecordBytes; DataDir is not
    /// consulted — <see cref="ReplicaStore"/> passes <c>DataDir/log</c>):
    /// leftover <c>*.tmp</c> files are deleted; segments before the newest reset segment are deleted;
    /// every record is checked (length, zxid order, CRC). A damaged tail of the last segment — a torn
    /// record, garbage, a CRC mismatch — with no valid record after it is cut off (zero-filled) and
    /// reported in <see cref="Recovery"/>. Damage anywhere else — a bad record followed by a valid one,
    /// a bad header, a gap between segments, a damaged tail in a segment that is not the last —
    /// throws <see cref="LogCorruptException"/> naming the file and offset: cutting there could lose
    /// acknowledged records. The caller must hold the data directory's <see cref="DirectoryLock"/>.
    /// </summary>
    public static TxnLog Open(string directory, StorageOptions options)
    {
        options.Validate();
        System.IO.Directory.CreateDirectory(directory);
        foreach (var tmp in System.IO.Directory.GetFiles(directory, "*.tmp")) File.Delete(tmp);
        var hard = HardStateFile.Read(directory);

        var files = new List<(long Seq, string Path)>();
        foreach (var path in System.IO.Directory.GetFiles(directory, SegmentFormat.FilePrefix + "*"))
            if (SegmentFormat.TryParseFileName(Path.GetFileName(path), out var seq)) files.Add((seq, path));
        files.Sort((a, b) => a.Seq.CompareTo(b.Seq));

        var segments = new List<Segment>();
        try
        {
            var recovery = new RecoveryScan(options);
            var headers = files.Select(f => (f.Seq, f.Path, Header: ReadHeaderOrThrow(f.Path))).ToList();
            var firstKept = headers.FindLastIndex(h => (h.Header.Flags & SegmentFormat.FlagReset) != 0);
            for (var i = 0; i < firstKept; i++) File.Delete(headers[i].Path);
            if (firstKept > 0 && options.ForceSync) FileSync.SyncDirectory(directory);
            headers.RemoveRange(0, Math.Max(firstKept, 0));

            for (var i = 0; i < headers.Count; i++)
            {
                var (seq, path, (baseZxid, flags)) = headers[i];
                if (i > 0 && (flags & SegmentFormat.FlagReset) == 0 && baseZxid != segments[^1].LastZxid)
                    throw new LogCorruptException(path, 16,
                        $"segment starts after zxid 0x{baseZxid:x} but the previous segment ends at 0x{segments[^1].LastZxid:x} (a segment is missing or damaged)");
                var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
                var seg = new Segment(seq, path, baseZxid, flags, handle);
                segments.Add(seg);
                recovery.Scan(seg, isLast: i == headers.Count - 1);
            }

            var log = new TxnLog(directory, options, segments, hard,
                new LogRecoveryReport(segments.Count, segments.Sum(s => (long)s.Records.Count),
                    recovery.TruncatedFile, recovery.TruncatedOffset, recovery.DiscardedBytes, recovery.Problem));
            if (segments.Count == 0) segments.Add(log.CreateSegment(1, 0, 0));
            return log;
        }
        catch
        {
            foreach (var s in segments) s.Dispose();
            throw;
        }
    }

    private static (long BaseZxid, ushort Flags) ReadHeaderOrThrow(string path)
    {
        Span<byte> header = stackalloc byte[SegmentFormat.HeaderSize];
        int n;
        using (var h = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            n = RandomAccess.Read(h, header, 0);
        var problem = SegmentFormat.ReadHeader(header[..n], out var baseZxid, out var flags);
        if (problem != null) throw new LogCorruptException(path, 0, problem);
        return (baseZxid, flags);
    }

    /// <summary>The record scan of recovery, one segment at a time.</summary>
    private sealed class RecoveryScan(StorageOptions options)
    {
        public string? TruncatedFile { get; private set; }
        public long TruncatedOffset { get; private set; }
        public long DiscardedBytes { get; private set; }
        public string? Problem { get; private set; }

        public void Scan(Segment seg, bool isLast)
        {
            var data = File.ReadAllBytes(seg.Path);
            var pos = SegmentFormat.HeaderSize;
            var prev = seg.BaseZxid;
            string? problem = null;
            while (pos < data.Length)
            {
                problem = SegmentFormat.CheckRecord(data, pos, prev, SegmentFormat.MaxPayload, out var zxid, out var len);
                if (problem != null) break;
                seg.Records.Add(new RecordRef(zxid, pos, len));
                prev = zxid;
                pos += SegmentFormat.RecordSize(len);
            }
            seg.WritePos = pos;
            if (pos >= data.Length) return;

            // Past the last valid record: zeros (preallocation) are the normal end.
            var tail = data.AsSpan(pos);
            var lastNonZero = tail.LastIndexOfAnyExcept((byte)0);
            if (lastNonZero < 0) return;
            var end = pos + lastNonZero + 1;
            var valid = FindValidRecord(data, pos + 1, end, prev);
            if (valid >= 0)
                throw new LogCorruptException(seg.Path, pos, $"bad record ({problem}) followed by a valid record at offset {valid}");
            if (!isLast)
                throw new LogCorruptException(seg.Path, pos, $"bad record ({problem}) in a segment that is not the last");

            // A torn or damaged tail of the last segment: nothing after it was ever acknowledged.
            RandomAccess.SetLength(seg.Handle, pos);
            RandomAccess.SetLength(seg.Handle, Math.Max(pos, options.SegmentBytes));
            if (options.ForceSync) FileSync.SyncFile(seg.Handle);
            TruncatedFile = seg.Path;
            TruncatedOffset = pos;
            DiscardedBytes = end - pos;
            Problem = problem;
        }

        /// <summary>First offset in [from, end) where a valid record with a zxid above
        /// <paramref name="prev"/> starts, or -1. Only the non-zero region is searched: a record's
        /// header holds its non-zero zxid.</summary>
        private int FindValidRecord(byte[] data, int from, int end, long prev)
        {
            for (var p = from; p < end; p++)
                if (SegmentFormat.CheckRecord(data, p, prev, SegmentFormat.MaxPayload, out _, out _) == null) return p;
            return -1;
        }
    }
}
