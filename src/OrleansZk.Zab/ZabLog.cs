namespace OrleansZk.Zab;

/// <summary>
/// The engine's in-memory view of its own log: the entries after <see cref="BaseZxid"/>, plus the
/// writes made since the last <see cref="ZabPeer.Ready"/> that the host still has to persist.
/// Every mutation is mirrored as a <see cref="LogWrite"/>, so the durable log converges to this view.
/// </summary>
internal sealed class ZabLog : ILogIndex
{
    readonly List<LogEntry> entries = [];
    readonly List<LogWrite> pending = [];
    List<LogEntry>? pendingAppend;

    public ZabLog(long baseZxid, IReadOnlyList<LogEntry> recovered)
    {
        BaseZxid = baseZxid;
        entries.AddRange(recovered);
    }

    public long BaseZxid { get; private set; }
    public long LastZxid => entries.Count > 0 ? entries[^1].Zxid : BaseZxid;
    public int Count => entries.Count;
    public bool HasPendingWrites => pending.Count > 0;

    public bool Contains(long zxid) => zxid == BaseZxid || IndexOf(zxid) >= 0;

    public long Floor(long zxid)
    {
        if (zxid < BaseZxid) return -1;
        int i = UpperBound(zxid) - 1;
        return i >= 0 ? entries[i].Zxid : BaseZxid;
    }

    public int CountAfter(long zxid) => entries.Count - UpperBound(zxid);

    /// <summary>Entries with after &lt; zxid &lt;= to, at most <paramref name="max"/> of them.</summary>
    public IReadOnlyList<LogEntry> Slice(long after, long to, int max)
    {
        int from = UpperBound(after), end = UpperBound(to);
        int n = Math.Min(end - from, max);
        return n <= 0 ? [] : entries.GetRange(from, n);
    }

    public void Append(LogEntry txn)
    {
        if (txn.Zxid <= LastZxid)
            throw new InvalidOperationException($"append {Zxid.Format(txn.Zxid)} after {Zxid.Format(LastZxid)}");
        entries.Add(txn);
        if (pendingAppend is null) { pendingAppend = []; pending.Add(new AppendWrite(pendingAppend)); }
        pendingAppend.Add(txn);
    }

    public void TruncateAfter(long zxid)
    {
        if (zxid >= LastZxid) return;
        int keep = UpperBound(zxid);
        entries.RemoveRange(keep, entries.Count - keep);
        pendingAppend = null;
        pending.Add(new TruncateWrite(zxid));
    }

    /// <summary>Drops the whole log; it now starts after <paramref name="baseZxid"/>.</summary>
    public void Reset(long baseZxid)
    {
        entries.Clear();
        BaseZxid = baseZxid;
        pendingAppend = null;
        pending.Add(new ResetWrite(baseZxid));
    }

    /// <summary>Forgets entries up to <paramref name="zxid"/> in memory (no write: the host compacts its own storage).</summary>
    public void Compact(long zxid)
    {
        long b = Floor(zxid);
        if (b <= BaseZxid) return;
        entries.RemoveRange(0, UpperBound(b));
        BaseZxid = b;
    }

    public IReadOnlyList<LogWrite> TakeWrites()
    {
        if (pending.Count == 0) return [];
        var w = pending.ToArray();
        pending.Clear();
        pendingAppend = null;
        return w;
    }

    int IndexOf(long zxid)
    {
        int i = UpperBound(zxid) - 1;
        return i >= 0 && entries[i].Zxid == zxid ? i : -1;
    }

    /// <summary>Index of the first entry with zxid greater than <paramref name="zxid"/>.</summary>
    int UpperBound(long zxid)
    {
        int lo = 0, hi = entries.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (entries[mid].Zxid <= zxid) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
