namespace OrleansZk.Core;

/// <summary>
/// The effects of the most recently applied transactions, every partition's, oldest first and
/// bounded by count and by bytes: what lets a new leader bring a partition from the state it last
/// reached to its own by sending only what changed there (a DIFF), instead of an image of the whole
/// partition. Every txn applied after <see cref="StartsAfter"/> that touched any node is here.
/// Pure, single-threaded.
/// </summary>
public sealed class EffectHistory
{
    private readonly Queue<Entry> _entries = new();
    private readonly int _maxTxns;
    private readonly long _maxBytes;
    private long _bytes;

    /// <summary>Keeps at most <paramref name="maxTxns"/> txns (0: none) and about <paramref name="maxBytes"/> bytes of them.</summary>
    public EffectHistory(int maxTxns, long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxTxns);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        _maxTxns = maxTxns;
        _maxBytes = maxBytes;
    }

    private readonly record struct Entry(long Zxid, IReadOnlyList<(int Partition, TxnEffects Effects)> Effects, long Bytes);

    /// <summary>The zxid after which the history is complete: effects of txns at or below it may be missing.</summary>
    public long StartsAfter { get; private set; }

    /// <summary>Txns held.</summary>
    public int Count => _entries.Count;

    /// <summary>Approximate bytes held (paths, data, a fixed cost per node effect).</summary>
    public long Bytes => _bytes;

    /// <summary>Forgets everything: the state was loaded at <paramref name="zxid"/>, nothing before it is known.</summary>
    public void Reset(long zxid)
    {
        _entries.Clear();
        _bytes = 0;
        StartsAfter = zxid;
    }

    /// <summary>Records the effects of the txn at <paramref name="zxid"/> (call in zxid order); evicts the oldest beyond the bounds.</summary>
    public void Add(long zxid, IReadOnlyList<(int Partition, TxnEffects Effects)> effects)
    {
        if (effects.Count == 0) return;
        long bytes = 0;
        foreach (var (_, e) in effects)
            foreach (var n in e.Nodes) bytes += 64 + 2L * n.Path.Length + (n.Data?.Length ?? 0);
        _entries.Enqueue(new Entry(zxid, effects, bytes));
        _bytes += bytes;
        while (_entries.Count > 0 && (_entries.Count > _maxTxns || _bytes > _maxBytes))
        {
            var old = _entries.Dequeue();
            _bytes -= old.Bytes;
            StartsAfter = old.Zxid;
        }
    }

    /// <summary>True when every txn after <paramref name="zxid"/> that touched a node is here.</summary>
    public bool Covers(long zxid) => zxid >= StartsAfter;

    /// <summary>The effects on <paramref name="partition"/> of the txns after <paramref name="zxid"/>, in zxid order (see <see cref="Covers"/>).</summary>
    public List<TxnEffects> For(int partition, long zxid)
    {
        var result = new List<TxnEffects>();
        foreach (var entry in _entries)
        {
            if (entry.Zxid <= zxid) continue;
            foreach (var (p, e) in entry.Effects)
                if (p == partition) result.Add(e);
        }
        return result;
    }
}
