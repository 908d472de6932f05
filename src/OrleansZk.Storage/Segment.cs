using Microsoft.Win32.SafeHandles;

namespace OrleansZk.Storage;

/// <summary>Where one record lives: its zxid, the offset of its frame and its payload length.</summary>
internal readonly record struct RecordRef(long Zxid, long Offset, int PayloadLength);

/// <summary>One open segment file and the index of its valid records (in zxid order).</summary>
internal sealed class Segment(long seq, string path, long baseZxid, ushort flags, SafeFileHandle handle) : IDisposable
{
    public long Seq { get; } = seq;
    public string Path { get; } = path;
    /// <summary>Every record here has a zxid above this; equals the previous segment's last zxid.</summary>
    public long BaseZxid { get; } = baseZxid;
    public ushort Flags { get; } = flags;
    public SafeFileHandle Handle { get; } = handle;
    public List<RecordRef> Records { get; } = [];
    /// <summary>End of the last valid record: where the next one is written.</summary>
    public long WritePos { get; set; } = SegmentFormat.HeaderSize;
    public long LastZxid => Records.Count > 0 ? Records[^1].Zxid : BaseZxid;

    /// <summary>Index of the first record with a zxid above <paramref name="zxid"/> (Count if none).</summary>
    public int FirstAfter(long zxid)
    {
        int lo = 0, hi = Records.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (Records[mid].Zxid <= zxid) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    public void Dispose() => Handle.Dispose();
}
