namespace OrleansZk.Storage;

public sealed partial class TxnLog
{
    /// <summary>
    /// Removes every record with a zxid above <paramref name="zxid"/> (a no-op when there is none).
    /// Later segments are deleted newest first, the cut segment is zero-filled from the cut on (so no
    /// stale record can reappear behind a later torn write), and the result is fsynced before return:
    /// truncation is rare, and being durable at once keeps "a crash leaves a prefix" simple.
    /// <paramref name="zxid"/> below <see cref="BaseZxid"/> throws <see cref="ArgumentOutOfRangeException"/>
    /// (use <see cref="ResetTo"/>).
    /// </summary>
    public void TruncateAfter(long zxid)
    {
        CheckUsable();
        if (zxid >= LastZxid) return;
        if (zxid < BaseZxid)
            throw new ArgumentOutOfRangeException(nameof(zxid), $"cannot truncate after 0x{zxid:x}: the log starts after 0x{BaseZxid:x}");
        Guard(() =>
        {
            var i = _segments.FindLastIndex(s => s.BaseZxid <= zxid);
            var deleted = false;
            while (_segments.Count - 1 > i)
            {
                var last = _segments[^1];
                _segments.RemoveAt(_segments.Count - 1);
                last.Dispose();
                File.Delete(last.Path);
                deleted = true;
            }
            var seg = _segments[i];
            var k = seg.FirstAfter(zxid);
            var cut = k < seg.Records.Count ? seg.Records[k].Offset : seg.WritePos;
            seg.Records.RemoveRange(k, seg.Records.Count - k);
            // Shrink then grow: the kernel zero-fills the regrown range.
            RandomAccess.SetLength(seg.Handle, cut);
            RandomAccess.SetLength(seg.Handle, Math.Max(cut, _options.SegmentBytes));
            seg.WritePos = cut;
            SyncSegment(seg);
            if (deleted && _options.ForceSync) FileSync.SyncDirectory(_dir);
            _dirty = false;
        });
    }

    /// <summary>
    /// Discards the whole log; it then holds nothing and starts after <paramref name="baseZxid"/>.
    /// A new segment flagged "reset" is created durably first (recovery ignores every segment before
    /// the newest reset segment), then the old files are deleted. Durable on return. The caller must
    /// have made the snapshot at <paramref name="baseZxid"/> durable before.
    /// </summary>
    public void ResetTo(long baseZxid)
    {
        CheckUsable();
        Guard(() =>
        {
            var fresh = CreateSegment(Current.Seq + 1, baseZxid, SegmentFormat.FlagReset);
            var old = _segments.ToArray();
            _segments.Clear();
            _segments.Add(fresh);
            foreach (var s in old)
            {
                s.Dispose();
                File.Delete(s.Path);
            }
            if (_options.ForceSync) FileSync.SyncDirectory(_dir);
            _dirty = false;
        });
    }

    /// <summary>
    /// Deletes whole segments whose records all have zxids at or below <paramref name="zxid"/>
    /// (oldest first, so a crash leaves a suffix of segments); the current segment is always kept.
    /// <see cref="BaseZxid"/> rises to the base of the first segment kept. Used after a snapshot at
    /// or above <paramref name="zxid"/> is durable. Returns the number of segments deleted.
    /// </summary>
    public int PurgeBefore(long zxid)
    {
        CheckUsable();
        var n = 0;
        Guard(() =>
        {
            while (_segments.Count > 1 && _segments[1].BaseZxid <= zxid)
            {
                var s = _segments[0];
                _segments.RemoveAt(0);
                s.Dispose();
                File.Delete(s.Path);
                n++;
            }
            if (n > 0 && _options.ForceSync) FileSync.SyncDirectory(_dir);
        });
        return n;
    }
}
