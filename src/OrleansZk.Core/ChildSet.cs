using System.Collections;

namespace OrleansZk.Core;

/// <summary>
/// A node's children: a set of the children's full-path strings (the same instances that key the
/// tree's map). An open-addressing table with linear probing, filled to at most 80%: 12 bytes a
/// slot (the string reference and its hash), against 20 bytes a <see cref="HashSet{T}"/> entry
/// plus its bucket — on a large tree the children sets hold one entry per znode. The stored hash
/// (0 empty, 1 deleted, else 30 bits of the string's hash + 2) lets a probe skip other strings
/// and a resize move them without touching the strings themselves (on a big tree each touch is a
/// cache miss). Deleted slots are reclaimed on the next resize.
/// </summary>
internal sealed class ChildSet : IEnumerable<string>
{
    private const int Empty = 0, Deleted = 1;
    private string?[] _slots = new string?[8];
    private int[] _tags = new int[8];
    private int _used; // live entries + deleted slots

    public int Count { get; private set; }

    /// <summary>Slots in the table (12 bytes each).</summary>
    public int Capacity => _slots.Length;

    public bool Add(string path)
    {
        if ((_used + 1) * 5 > _slots.Length * 4) Resize();
        var tag = Tag(path);
        var mask = _slots.Length - 1;
        var free = -1;
        for (var i = tag & mask; ; i = (i + 1) & mask)
        {
            var t = _tags[i];
            if (t == Empty)
            {
                if (free < 0)
                {
                    free = i;
                    _used++;
                }
                _slots[free] = path;
                _tags[free] = tag;
                Count++;
                return true;
            }
            if (t == Deleted)
            {
                if (free < 0) free = i;
            }
            else if (t == tag && string.Equals(_slots[i], path, StringComparison.Ordinal))
            {
                return false;
            }
        }
    }

    public bool Remove(string path)
    {
        var tag = Tag(path);
        var mask = _slots.Length - 1;
        for (var i = tag & mask; ; i = (i + 1) & mask)
        {
            var t = _tags[i];
            if (t == Empty) return false;
            if (t == tag && string.Equals(_slots[i], path, StringComparison.Ordinal))
            {
                _slots[i] = null;
                _tags[i] = Deleted;
                Count--;
                return true;
            }
        }
    }

    /// <summary>Rebuilds the table at twice the live count (at least 8 slots), dropping deleted slots.</summary>
    private void Resize()
    {
        var size = 8;
        while (size < Count * 2 + 2) size *= 2;
        var oldSlots = _slots;
        var oldTags = _tags;
        _slots = new string?[size];
        _tags = new int[size];
        _used = Count;
        var mask = size - 1;
        for (var j = 0; j < oldSlots.Length; j++)
        {
            if (oldTags[j] <= Deleted) continue;
            var tag = oldTags[j];
            var i = tag & mask;
            while (_tags[i] != Empty) i = (i + 1) & mask;
            _slots[i] = oldSlots[j];
            _tags[i] = tag;
        }
    }

    /// <summary>The stored hash: 30 bits of the string's hash, plus 2 (never Empty or Deleted); its low bits pick the slot.</summary>
    private static int Tag(string s) => (s.GetHashCode() & 0x3FFFFFFF) + 2;

    public IEnumerator<string> GetEnumerator()
    {
        for (var i = 0; i < _slots.Length; i++)
            if (_tags[i] > Deleted) yield return _slots[i]!;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
