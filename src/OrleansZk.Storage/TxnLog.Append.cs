using OrleansZk.Zab;

namespace OrleansZk.Storage;

public sealed partial class TxnLog
{
    /// <summary>
    /// Appends records in order; zxids must be strictly increasing and above <see cref="LastZxid"/>
    /// (else <see cref="ArgumentException"/>, and nothing is written). Visible to reads at once,
    /// durable after <see cref="Sync"/>. Rolls to a new segment when the current one would pass
    /// <see cref="StorageOptions.SegmentBytes"/>; the full segment is fsynced and trimmed first, so a
    /// crash never leaves a damaged segment before an undamaged one.
    /// </summary>
    public void Append(IReadOnlyList<LogEntry> txns)
    {
        CheckUsable();
        CheckBatch(txns, LastZxid);
        if (txns.Count == 0) return;
        Guard(() => AppendValidated(txns));
    }

    /// <summary>
    /// Checks a batch to append after <paramref name="afterZxid"/>: zxids strictly increasing and
    /// above it, payloads within <see cref="MaxRecordBytes"/>. Returns the batch's last zxid
    /// (<paramref name="afterZxid"/> for an empty batch). Throws ArgumentException naming the offender.
    /// </summary>
    internal long CheckBatch(IReadOnlyList<LogEntry> txns, long afterZxid)
    {
        var prev = afterZxid;
        foreach (var t in txns)
        {
            if (t.Zxid <= prev) throw new ArgumentException($"zxid 0x{t.Zxid:x} is not above the previous 0x{prev:x}", nameof(txns));
            if (t.Payload.Length > _options.MaxRecordBytes)
                throw new ArgumentException($"payload of {t.Payload.Length} bytes exceeds MaxRecordBytes {_options.MaxRecordBytes}", nameof(txns));
            prev = t.Zxid;
        }
        return prev;
    }

    /// <summary>Appends one record (see <see cref="Append(IReadOnlyList{LogEntry})"/>).</summary>
    public void Append(LogEntry txn) => Append([txn]);

    private void AppendValidated(IReadOnlyList<LogEntry> txns)
    {
        var used = 0;
        var pending = new List<RecordRef>();
        foreach (var t in txns)
        {
            var size = SegmentFormat.RecordSize(t.Payload.Length);
            var seg = Current;
            if (seg.WritePos + used + size > _options.SegmentBytes && (seg.Records.Count > 0 || used > 0))
            {
                WriteBuffer(used, pending);
                used = 0;
                Roll();
                seg = Current;
            }
            EnsureBuffer(used + size);
            SegmentFormat.WriteRecord(_buffer.AsSpan(used, size), t.Zxid, t.Payload);
            pending.Add(new RecordRef(t.Zxid, seg.WritePos + used, t.Payload.Length));
            used += size;
        }
        WriteBuffer(used, pending);
    }

    private void EnsureBuffer(int size)
    {
        if (_buffer.Length < size) Array.Resize(ref _buffer, Math.Max(size, _buffer.Length * 2));
    }

    /// <summary>One write() of the framed records, then they join the index.</summary>
    private void WriteBuffer(int used, List<RecordRef> pending)
    {
        if (used == 0) return;
        var seg = Current;
        RandomAccess.Write(seg.Handle, _buffer.AsSpan(0, used), seg.WritePos);
        seg.WritePos += used;
        seg.Records.AddRange(pending);
        pending.Clear();
        _dirty = true;
    }

    /// <summary>Seals the current segment (trim the unused preallocation, fsync) and opens the next.</summary>
    private void Roll()
    {
        var old = Current;
        RandomAccess.SetLength(old.Handle, old.WritePos);
        SyncSegment(old);
        _dirty = false;
        _segments.Add(CreateSegment(old.Seq + 1, old.LastZxid, 0));
    }

    /// <summary>
    /// Creates a segment atomically: header and zero-filled preallocation written to a temp name,
    /// fsynced, renamed into place, directory fsynced. A crash leaves either no segment or a whole one.
    /// </summary>
    private Segment CreateSegment(long seq, long baseZxid, ushort flags)
    {
        var path = Path.Combine(_dir, SegmentFormat.FileName(seq));
        var tmp = path + ".tmp";
        var handle = File.OpenHandle(tmp, FileMode.Create, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete,
            FileOptions.None, preallocationSize: _options.SegmentBytes);
        try
        {
            Span<byte> header = stackalloc byte[SegmentFormat.HeaderSize];
            SegmentFormat.WriteHeader(header, baseZxid, flags);
            RandomAccess.Write(handle, header, 0);
            RandomAccess.SetLength(handle, _options.SegmentBytes);
            if (_options.ForceSync) FileSync.SyncFile(handle);
            File.Move(tmp, path, overwrite: false);
            if (_options.ForceSync) FileSync.SyncDirectory(_dir);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
        return new Segment(seq, path, baseZxid, flags, handle);
    }

    /// <summary>Makes every earlier write durable: one fsync of the current segment (none when
    /// nothing was written since the last, or when <see cref="StorageOptions.ForceSync"/> is off).</summary>
    public void Sync()
    {
        CheckUsable();
        if (!_dirty) return;
        Guard(() =>
        {
            SyncSegment(Current);
            _dirty = false;
        });
    }

    /// <summary>
    /// Records new epochs. Stronger than <see cref="IZabStorage"/> asks: earlier log writes are
    /// synced first, then the hard state file is replaced atomically and is durable on return.
    /// </summary>
    public void SetHardState(HardState state)
    {
        Sync();
        Guard(() =>
        {
            HardStateFile.Write(_dir, state, _options.ForceSync);
            _hard = state;
        });
    }
}
