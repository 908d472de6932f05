namespace OrleansZk.Core;

/// <summary>
/// ZooKeeper's per-connection identity set (<c>ServerCnxn.authInfo</c>, a
/// <c>Collections.newSetFromMap(new ConcurrentHashMap&lt;Id, Boolean&gt;())</c> in 3.8), modelled so
/// that its iteration order is Java's, exactly: the order in which an <c>auth</c> ACL entry expands
/// to the caller's identities. The model follows Java 17's <c>ConcurrentHashMap</c> used by one
/// thread: lazy 16-bin table, bin index from the spread hash, new keys appended to a list bin and
/// prepended to a tree bin, a resize once the count reaches ¾ of the table, the resize's split of a
/// bin (the tail run that stays together keeps its order, the nodes before it are reversed), a bin
/// of nine or more that grows the table (below 64 bins) or becomes a tree bin, and a tree bin that
/// shrinks back to a list at six or fewer. Iteration walks the bins in index order, each bin in its
/// list order. Deterministic: hashes are Java's <c>String.hashCode</c> and <c>Id.hashCode</c>, never
/// .NET's randomized ones. Not thread-safe; <see cref="Clone"/> before changing a shared instance.
/// </summary>
public sealed class JavaIdSet
{
    private const int DefaultCapacity = 16;
    private const int TreeifyThreshold = 8;
    private const int UntreeifyThreshold = 6;
    private const int MinTreeifyCapacity = 64;
    private const int MaximumCapacity = 1 << 30;

    private Bin?[]? _table;
    private int _sizeCtl;
    private int _count;

    private sealed class Bin(List<(int Hash, ZkId Id)> nodes, bool tree)
    {
        public readonly List<(int Hash, ZkId Id)> Nodes = nodes;
        public bool Tree = tree;
        public Bin Copy() => new([.. Nodes], Tree);
    }

    /// <summary>Number of identities held.</summary>
    public int Count => _count;

    /// <summary>The table's size and how many of its bins are tree bins (for tests that must reach every path).</summary>
    internal (int Bins, int TreeBins) Shape => (_table?.Length ?? 0, _table?.Count(b => b is { Tree: true }) ?? 0);

    /// <summary>Java's <c>String.hashCode</c>: s[0]·31^(n−1) + … + s[n−1] over UTF-16 code units, wrapping.</summary>
    public static int JavaStringHash(string s)
    {
        var h = 0;
        foreach (var c in s) h = unchecked(31 * h + c);
        return h;
    }

    /// <summary>The jute-generated <c>org.apache.zookeeper.data.Id.hashCode</c>: 37·(37·17 + scheme) + id.</summary>
    public static int JavaIdHash(ZkId id) =>
        unchecked(37 * (37 * 17 + JavaStringHash(id.Scheme)) + JavaStringHash(id.Id));

    /// <summary>A copy that changes independently of this set.</summary>
    public JavaIdSet Clone()
    {
        var copy = new JavaIdSet { _sizeCtl = _sizeCtl, _count = _count };
        if (_table != null) copy._table = Array.ConvertAll(_table, b => b?.Copy());
        return copy;
    }

    /// <summary>
    /// <c>Set.add(id)</c> (<c>map.put(id, TRUE)</c>): true when the id was new. Adding an id already
    /// held changes no order now, but may still convert its bin (or grow the table) as Java does.
    /// </summary>
    public bool Add(ZkId id)
    {
        var hash = Spread(JavaIdHash(id));
        if (_table == null)
        {
            _table = new Bin?[DefaultCapacity];
            _sizeCtl = DefaultCapacity - (DefaultCapacity >>> 2);
        }
        var index = (_table.Length - 1) & hash;
        var bin = _table[index];
        int binCount;
        var found = false;
        if (bin == null)
        {
            _table[index] = new Bin([(hash, id)], tree: false);
            binCount = 0;
        }
        else if (bin.Tree)
        {
            binCount = 2;
            found = bin.Nodes.Exists(n => n.Id == id);
            if (!found) bin.Nodes.Insert(0, (hash, id));
        }
        else
        {
            var at = bin.Nodes.FindIndex(n => n.Id == id);
            found = at >= 0;
            binCount = found ? at + 1 : bin.Nodes.Count;
            if (!found) bin.Nodes.Add((hash, id));
        }
        if (binCount >= TreeifyThreshold) TreeifyBin(index);
        if (found) return false;
        _count++;
        while (_count >= _sizeCtl && _table.Length < MaximumCapacity) Transfer();
        return true;
    }

    /// <summary>The identities in the order Java's iterator (and so <c>new ArrayList&lt;&gt;(set)</c>) yields them.</summary>
    public IEnumerable<ZkId> InIterationOrder()
    {
        if (_table == null) yield break;
        foreach (var bin in _table)
        {
            if (bin == null) continue;
            foreach (var node in bin.Nodes) yield return node.Id;
        }
    }

    /// <summary><c>(h ^ (h &gt;&gt;&gt; 16)) &amp; HASH_BITS</c>.</summary>
    private static int Spread(int h) => (h ^ (h >>> 16)) & 0x7fffffff;

    /// <summary>A bin of nine or more: grow a small table (tryPresize), else turn a list bin into a tree bin (same order).</summary>
    private void TreeifyBin(int index)
    {
        var n = _table!.Length;
        if (n < MinTreeifyCapacity)
        {
            TryPresize(n << 1);
        }
        else if (_table[index] is { Tree: false } bin)
        {
            bin.Tree = true;
        }
    }

    /// <summary>Java's tryPresize on an existing table: doubles until the table's threshold reaches the target size.</summary>
    private void TryPresize(int size)
    {
        var c = size >= (MaximumCapacity >>> 1) ? MaximumCapacity : TableSizeFor(size + (size >>> 1) + 1);
        while (c > _sizeCtl && _table!.Length < MaximumCapacity) Transfer();
    }

    private static int TableSizeFor(int c)
    {
        var n = c <= 1 ? 1 : (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)c);
        return Math.Min(n, MaximumCapacity);
    }

    /// <summary>Doubles the table, splitting each bin i into bins i and i + n as Java's transfer does.</summary>
    private void Transfer()
    {
        var old = _table!;
        var n = old.Length;
        var next = new Bin?[n << 1];
        for (var i = 0; i < n; i++)
        {
            var bin = old[i];
            if (bin == null) continue;
            var (low, high) = bin.Tree ? SplitTree(bin, n) : SplitList(bin.Nodes, n);
            next[i] = low;
            next[i + n] = high;
        }
        _table = next;
        _sizeCtl = (n << 1) - (n >>> 1);
    }

    /// <summary>
    /// A list bin's split: the last run of nodes that all go the same way moves as it is; each node
    /// before it is pushed onto the front of its new bin, so those come out reversed.
    /// </summary>
    private static (Bin? Low, Bin? High) SplitList(List<(int Hash, ZkId Id)> nodes, int n)
    {
        var runBit = nodes[0].Hash & n;
        var lastRun = 0;
        for (var k = 1; k < nodes.Count; k++)
        {
            var b = nodes[k].Hash & n;
            if (b != runBit)
            {
                runBit = b;
                lastRun = k;
            }
        }
        var tail = nodes.GetRange(lastRun, nodes.Count - lastRun);
        List<(int, ZkId)> low = runBit == 0 ? tail : [], high = runBit == 0 ? [] : tail;
        for (var k = 0; k < lastRun; k++)
            ((nodes[k].Hash & n) == 0 ? low : high).Insert(0, nodes[k]);
        return (low.Count == 0 ? null : new Bin(low, false), high.Count == 0 ? null : new Bin(high, false));
    }

    /// <summary>A tree bin's split keeps order; a half of six or fewer becomes a list bin again.</summary>
    private static (Bin? Low, Bin? High) SplitTree(Bin bin, int n)
    {
        var low = bin.Nodes.FindAll(x => (x.Hash & n) == 0);
        var high = bin.Nodes.FindAll(x => (x.Hash & n) != 0);
        Bin? Half(List<(int, ZkId)> half) => half.Count == 0 ? null : new Bin(half, tree: half.Count > UntreeifyThreshold);
        return (Half(low), Half(high));
    }
}
