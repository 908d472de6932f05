namespace OrleansZk.Core;

/// <summary>
/// A partition's recent watch triggers, oldest first, bounded (a ring of <see cref="Capacity"/>
/// entries): what lets a persistent watch re-registered with its last zxid replay every change it
/// missed, in order, and a one-shot watch on a deleted node learn when it went (a tombstone).
/// Everything applied after <see cref="TrimmedThrough"/> is here; a replay from a zxid below it is
/// incomplete, and says so (<see cref="WatchEventType.HistoryTrimmed"/>). Pure, single-threaded.
/// </summary>
public sealed class TriggerHistory
{
    private readonly Entry[] _ring;
    private int _start;
    private int _count;

    public TriggerHistory(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _ring = new Entry[capacity];
    }

    /// <summary>One trigger: the txn, its place in the txn's trigger order, what happened to which path.</summary>
    public readonly record struct Entry(long Zxid, int Order, WatchEventType Type, string Path);

    public int Capacity => _ring.Length;

    public int Count => _count;

    /// <summary>The highest zxid whose triggers may be missing here (evicted, or before the state was loaded); 0 when none.</summary>
    public long TrimmedThrough { get; private set; }

    /// <summary>Forgets everything: the partition loaded an image at <paramref name="zxid"/>, so nothing through it is known.</summary>
    public void Reset(long zxid)
    {
        Array.Clear(_ring);
        (_start, _count) = (0, 0);
        TrimmedThrough = zxid;
    }

    /// <summary>Records the triggers of one applied txn (call in zxid order).</summary>
    public void Add(TxnEffects txn)
    {
        foreach (var node in txn.Nodes)
        {
            if (node.Triggers == null) continue;
            foreach (var t in node.Triggers) Add(new Entry(txn.Zxid, t.Order, t.Type, node.Path));
        }
    }

    private void Add(Entry entry)
    {
        if (_ring.Length == 0)
        {
            TrimmedThrough = Math.Max(TrimmedThrough, entry.Zxid);
            return;
        }
        if (_count == _ring.Length)
        {
            TrimmedThrough = Math.Max(TrimmedThrough, _ring[_start].Zxid);
            _ring[_start] = entry;
            _start = (_start + 1) % _ring.Length;
            return;
        }
        _ring[(_start + _count++) % _ring.Length] = entry;
    }

    /// <summary>The entries after <paramref name="zxid"/>, oldest first.</summary>
    public IEnumerable<Entry> Since(long zxid)
    {
        for (var i = 0; i < _count; i++)
        {
            var e = _ring[(_start + i) % _ring.Length];
            if (e.Zxid > zxid) yield return e;
        }
    }

    /// <summary>The zxid of the latest NodeDeleted of <paramref name="path"/> still held, or null.</summary>
    public long? DeletedAt(string path)
    {
        for (var i = _count - 1; i >= 0; i--)
        {
            var e = _ring[(_start + i) % _ring.Length];
            if (e.Type == WatchEventType.NodeDeleted && e.Path == path) return e.Zxid;
        }
        return null;
    }
}
