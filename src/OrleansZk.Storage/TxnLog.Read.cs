using OrleansZk.Zab;

namespace OrleansZk.Storage;

public sealed partial class TxnLog
{
    /// <summary>Records with <paramref name="afterZxid"/> &lt; zxid &lt;= <paramref name="toZxid"/>, in
    /// zxid order, read from the segment files (unsynced writes included).</summary>
    public IReadOnlyList<LogEntry> ReadRange(long afterZxid, long toZxid)
    {
        var result = new List<LogEntry>();
        foreach (var t in ReadAfter(afterZxid))
        {
            if (t.Zxid > toZxid) break;
            result.Add(t);
        }
        return result;
    }

    /// <summary>
    /// Streams every record with a zxid above <paramref name="afterZxid"/>, in zxid order, one read
    /// per record (for replay, without holding the whole log in memory). Do not write to the log
    /// while enumerating.
    /// </summary>
    public IEnumerable<LogEntry> ReadAfter(long afterZxid)
    {
        CheckUsable();
        foreach (var seg in _segments)
        {
            if (seg.LastZxid <= afterZxid) continue;
            for (var i = seg.FirstAfter(afterZxid); i < seg.Records.Count; i++)
            {
                var r = seg.Records[i];
                var payload = new byte[r.PayloadLength];
                var n = RandomAccess.Read(seg.Handle, payload, r.Offset + SegmentFormat.RecordHeaderSize);
                if (n != payload.Length) throw new IOException($"short read in {seg.Path} at offset {r.Offset}");
                yield return new LogEntry(r.Zxid, payload);
            }
        }
    }
}
