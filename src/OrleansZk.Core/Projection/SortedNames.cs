using System.Collections;

namespace OrleansZk.Core;

/// <summary>
/// A partition's child names of one node, kept in ordinal order (UTF-16 code units, as Java's
/// <c>String.compareTo</c>, which ZooKeeper uses): a list of sorted blocks of at most
/// <see cref="MaxBlock"/> names, the blocks themselves in order. Finding a name or a position is a
/// binary search over the blocks' last names, then within one block — O(log n) — and adding or
/// removing one moves at most a block's worth of references, so a parent with millions of children
/// changes and pages (<see cref="After"/>: O(log n + page)) without ever copying or sorting the whole
/// set. About 8–16 bytes a name (a reference, blocks half to fully filled), against about 24 for a
/// hash set entry. A block that falls under a quarter full merges with its neighbour when they fit
/// in one, so no run of tiny blocks builds up. Not thread-safe.
/// </summary>
internal sealed class SortedNames : IEnumerable<string>
{
    /// <summary>The most names a block holds; a full block splits in two halves.</summary>
    public const int MaxBlock = 512;

    private readonly List<List<string>> _blocks = [];

    public int Count { get; private set; }

    /// <summary>A set of <paramref name="names"/> (any order; duplicates kept once), built in one sort.</summary>
    public static SortedNames Of(IEnumerable<string> names)
    {
        var all = names.ToArray();
        Array.Sort(all, StringComparer.Ordinal);
        var set = new SortedNames();
        // Three-quarters full, so the first adds after a load rarely split.
        const int fill = MaxBlock * 3 / 4;
        List<string>? block = null;
        for (var i = 0; i < all.Length; i++)
        {
            if (i > 0 && string.Equals(all[i], all[i - 1], StringComparison.Ordinal)) continue;
            if (block == null || block.Count == fill) set._blocks.Add(block = new List<string>(MaxBlock));
            block.Add(all[i]);
            set.Count++;
        }
        return set;
    }

    /// <summary>Adds <paramref name="name"/>; false when it is there already.</summary>
    public bool Add(string name)
    {
        if (_blocks.Count == 0)
        {
            _blocks.Add([name]);
            Count = 1;
            return true;
        }
        // The first block whose last name is not below it, or the last block (the name goes at its end).
        var b = Math.Min(FirstBlockEndingAtOrAfter(name), _blocks.Count - 1);
        var block = _blocks[b];
        var i = block.BinarySearch(name, StringComparer.Ordinal);
        if (i >= 0) return false;
        block.Insert(~i, name);
        Count++;
        if (block.Count > MaxBlock)
        {
            var half = block.Count / 2;
            var upper = new List<string>(MaxBlock);
            upper.AddRange(block.GetRange(half, block.Count - half));
            block.RemoveRange(half, block.Count - half);
            _blocks.Insert(b + 1, upper);
        }
        return true;
    }

    /// <summary>Removes <paramref name="name"/>; false when it was not there.</summary>
    public bool Remove(string name)
    {
        var b = FirstBlockEndingAtOrAfter(name);
        if (b == _blocks.Count) return false;
        var block = _blocks[b];
        var i = block.BinarySearch(name, StringComparer.Ordinal);
        if (i < 0) return false;
        block.RemoveAt(i);
        Count--;
        if (block.Count == 0) _blocks.RemoveAt(b);
        else if (block.Count < MaxBlock / 4) MergeWithNext(b > 0 && b == _blocks.Count - 1 ? b - 1 : b);
        return true;
    }

    public bool Contains(string name)
    {
        var b = FirstBlockEndingAtOrAfter(name);
        return b < _blocks.Count && _blocks[b].BinarySearch(name, StringComparer.Ordinal) >= 0;
    }

    /// <summary>
    /// Up to <paramref name="limit"/> names strictly after <paramref name="after"/> (null: from the
    /// first), in order, and whether any name follows the last one returned.
    /// </summary>
    public (List<string> Names, bool More) After(string? after, int limit)
    {
        var names = new List<string>(Math.Min(limit, Count));
        var b = 0;
        var i = 0;
        if (after != null)
        {
            b = FirstBlockEndingAfter(after);
            if (b < _blocks.Count)
            {
                i = _blocks[b].BinarySearch(after, StringComparer.Ordinal);
                i = i >= 0 ? i + 1 : ~i;
            }
        }
        for (; b < _blocks.Count; b++, i = 0)
        {
            var block = _blocks[b];
            for (; i < block.Count; i++)
            {
                if (names.Count == limit) return (names, true);
                names.Add(block[i]);
            }
        }
        return (names, false);
    }

    public IEnumerator<string> GetEnumerator()
    {
        foreach (var block in _blocks)
            foreach (var name in block)
                yield return name;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Blocks in use (for tests of the block invariants).</summary>
    internal IReadOnlyList<IReadOnlyList<string>> Blocks => _blocks;

    /// <summary>Merges block <paramref name="b"/> with the next one when both fit in one block.</summary>
    private void MergeWithNext(int b)
    {
        if (b + 1 >= _blocks.Count || _blocks[b].Count + _blocks[b + 1].Count > MaxBlock) return;
        _blocks[b].AddRange(_blocks[b + 1]);
        _blocks.RemoveAt(b + 1);
    }

    /// <summary>The first block whose last name is ≥ <paramref name="name"/> (the block that holds it, if any); the block count when none.</summary>
    private int FirstBlockEndingAtOrAfter(string name) => FirstBlockWhere(name, inclusive: true);

    /// <summary>The first block whose last name is &gt; <paramref name="name"/>; the block count when none.</summary>
    private int FirstBlockEndingAfter(string name) => FirstBlockWhere(name, inclusive: false);

    private int FirstBlockWhere(string name, bool inclusive)
    {
        int lo = 0, hi = _blocks.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = string.CompareOrdinal(_blocks[mid][^1], name);
            if (c > 0 || (inclusive && c == 0)) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }
}
