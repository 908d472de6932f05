using OrleansZk.Zab;

namespace OrleansZk.Zab.Simulator;

/// <summary>
/// A simulated disk implementing <see cref="IZabStorage"/>: writes are visible at once but
/// durable only after <see cref="Sync"/>. <see cref="Crash"/> keeps the durable image plus a
/// random prefix of the unsynced writes (a torn tail), like a real file after power loss.
/// Snapshots are written durably and atomically (<see cref="SaveSnapshot"/>).
/// </summary>
public sealed class SimDisk : IZabStorage
{
    sealed class Image
    {
        public HardState Hard;
        public long Base;
        public List<LogEntry> Log = [];
        public Image Clone() => new() { Hard = Hard, Base = Base, Log = [.. Log] };
        public long Last => Log.Count > 0 ? Log[^1].Zxid : Base;

        public void Apply(object op)
        {
            switch (op)
            {
                case HardState h: Hard = h; break;
                case IReadOnlyList<LogEntry> txns: Log.AddRange(txns); break;
                case TruncateWrite t: Log.RemoveAll(x => x.Zxid > t.AfterZxid); break;
                case ResetWrite r: Log.Clear(); Base = r.BaseZxid; break;
            }
        }
    }

    Image durable = new(), visible = new();
    readonly List<object> unsynced = [];

    /// <summary>The last durable snapshot (null: none, the state starts empty at zxid 0).</summary>
    public ZabSnapshot? Snapshot { get; private set; }
    /// <summary>Number of fsyncs (for statistics).</summary>
    public long Syncs { get; private set; }

    public HardState HardState => visible.Hard;
    public long BaseZxid => visible.Base;
    public long LastZxid => visible.Last;

    public IReadOnlyList<LogEntry> ReadRange(long afterZxid, long toZxid) =>
        visible.Log.Where(t => t.Zxid > afterZxid && t.Zxid <= toZxid).ToList();

    public void SetHardState(HardState state) => Write(state);
    public void Append(IReadOnlyList<LogEntry> txns)
    {
        if (txns.Count > 0 && txns[0].Zxid <= visible.Last) throw new InvalidOperationException("append out of order");
        Write(txns.ToArray());
    }
    public void TruncateAfter(long zxid) => Write(new TruncateWrite(zxid));
    public void ResetTo(long baseZxid) => Write(new ResetWrite(baseZxid));

    public void Sync()
    {
        foreach (var op in unsynced) durable.Apply(op);
        unsynced.Clear();
        Syncs++;
    }

    void Write(object op) { visible.Apply(op); unsynced.Add(op); }

    /// <summary>Writes a snapshot durably (atomic rename in a real implementation).</summary>
    public void SaveSnapshot(ZabSnapshot snapshot) => Snapshot = snapshot;

    /// <summary>Drops log entries up to <paramref name="zxid"/> (never beyond the durable snapshot).</summary>
    public void Compact(long zxid)
    {
        zxid = Math.Min(zxid, Snapshot?.Zxid ?? 0);
        foreach (var img in new[] { durable, visible })
        {
            if (zxid <= img.Base) continue;
            int n = img.Log.FindLastIndex(t => t.Zxid <= zxid) + 1;
            if (n == 0) continue;
            img.Base = img.Log[n - 1].Zxid;
            img.Log.RemoveRange(0, n);
        }
    }

    /// <summary>Power loss: unsynced writes survive only as a random prefix.</summary>
    public int Crash(Random rng)
    {
        int keep = unsynced.Count == 0 ? 0 : rng.Next(unsynced.Count + 1);
        for (int i = 0; i < keep; i++) durable.Apply(unsynced[i]);
        int lost = unsynced.Count - keep;
        unsynced.Clear();
        visible = durable.Clone();
        return lost;
    }
}
