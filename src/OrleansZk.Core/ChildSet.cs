using System.Collections;

namespace OrleansZk.Core;

/// <summary>
/// A node's children: a set of the children's full-path strings (the same instances that key the
/// tree's map), in an open-addressing table with linear probing — 8 bytes a slot, filled to at most 80%, against ~20 for a <see cref="HashSet{T}"/> entry — since on a large tree the
/// children sets hold one entry per znode. Deletions leave tombstones, cleared on the next resize.
/// </summary>
internal sealed class ChildSet : IEnumerable<string>
{
    private static readonly string Tombstone = new('\0', 1);
    private string?[] _slots = new string?[4];
    private int _used; // live entries + tombstones

    public int Count { get; private set; }

    /// <summary>Slots in the table (8 bytes each).</summary>
    public int Capacity => _slots.Length;

    public bool Add(string path)
    {
        if ((_used + 1) * 5 > _slots.Length * 4) Resize((Count + 1) * 2);
        var mask = _slots.Length - 1;
        var tombstone = -1;
        for (var i = Hash(path) & mask; ; i = (i + 1) & mask)
        {
            var s = _slots[i];
            if (s == null)
            {
                if (tombstone >= 0) i = tombstone;
                else _used++;
                _slots[i] = path;
                Count++;
                return true;
            }
            if (ReferenceEquals(s, Tombstone))
            {
                if (tombstone < 0) tombstone = i;
            }
            else if (string.Equals(s, path, StringComparison.Ordinal))
            {
                return false;
            }
        }
    }

    public bool Remove(string path)
    {
        var mask = _slots.Length - 1;
        for (var i = Hash(path) & mask; ; i = (i + 1) & mask)
        {
            var s = _slots[i];
            if (s == null) return false;
            if (!ReferenceEquals(s, Tombstone) && string.Equals(s, path, StringComparison.Ordinal))
            {
                _slots[i] = Tombstone;
                Count--;
                return true;
            }
        }
    }

    private void Resize(int capacity)
    {
        var size = 8;
        while (size < capacity) size *= 2;
        var old = _slots;
        _slots = new string?[size];
        _used = Count;
        var mask = size - 1;
        foreach (var s in old)
        {
            if (s == null || ReferenceEquals(s, Tombstone)) continue;
            var i = Hash(s) & mask;
            while (_slots[i] != null) i = (i + 1) & mask;
            _slots[i] = s;
        }
    }

    private static int Hash(string s) => s.GetHashCode() & 0x7FFFFFFF;

    public IEnumerator<string> GetEnumerator()
    {
        foreach (var s in _slots)
            if (s != null && !ReferenceEquals(s, Tombstone)) yield return s;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
