namespace OrleansZk.Testing.Linearizability;

/// <summary>
/// The search's view of a history: each operation as a call entry and a return entry, in one
/// doubly linked list sorted by time, from which linearized operations are lifted out and put
/// back in O(1) (dancing links).
/// </summary>
/// <remarks>
/// At equal times call entries come first, so operations whose intervals touch count as
/// concurrent (the cautious reading of a clock's resolution); ties between entries of the same
/// kind go by operation index, so the order, and with it every report, is deterministic.
/// </remarks>
internal sealed class EntryList
{
    /// <summary>Returned by <see cref="First"/> and <see cref="Next"/> past the last entry.</summary>
    public const int End = -1;

    private readonly int[] _codes; // entry -> op * 2 + (1 for a return entry)
    private readonly int[] _next;
    private readonly int[] _prev;
    private readonly int[] _callEntry;
    private readonly int[] _returnEntry;
    private readonly int _head;

    /// <param name="calls">Operation i's call time.</param>
    /// <param name="returns">Operation i's return time, at least its call time (long.MaxValue: the end of the history).</param>
    public EntryList(IReadOnlyList<long> calls, IReadOnlyList<long> returns)
    {
        var n = calls.Count;
        var order = new (long Time, int Code)[2 * n];
        for (var i = 0; i < n; i++)
        {
            order[2 * i] = (calls[i], 2 * i);
            order[2 * i + 1] = (returns[i], 2 * i + 1);
        }
        Array.Sort(order, static (a, b) =>
            a.Time != b.Time ? a.Time.CompareTo(b.Time)
            : (a.Code & 1) != (b.Code & 1) ? (a.Code & 1) - (b.Code & 1)
            : a.Code.CompareTo(b.Code));

        _codes = new int[2 * n];
        _next = new int[2 * n + 1];
        _prev = new int[2 * n + 1];
        _callEntry = new int[n];
        _returnEntry = new int[n];
        _head = 2 * n;
        for (var e = 0; e < 2 * n; e++)
        {
            var code = order[e].Code;
            _codes[e] = code;
            if ((code & 1) == 0) _callEntry[code >> 1] = e;
            else _returnEntry[code >> 1] = e;
            _next[e] = e + 1 < 2 * n ? e + 1 : End;
            _prev[e] = e == 0 ? _head : e - 1;
        }
        _next[_head] = n > 0 ? 0 : End;
    }

    /// <summary>The earliest entry still in the list, or <see cref="End"/>.</summary>
    public int First => _next[_head];

    /// <summary>The entry after <paramref name="entry"/>, or <see cref="End"/>.</summary>
    public int Next(int entry) => _next[entry];

    /// <summary>The operation <paramref name="entry"/> belongs to.</summary>
    public int OperationOf(int entry) => _codes[entry] >> 1;

    /// <summary>Whether <paramref name="entry"/> is a call entry (else a return entry).</summary>
    public bool IsCall(int entry) => (_codes[entry] & 1) == 0;

    /// <summary>Operation <paramref name="op"/>'s call entry.</summary>
    public int CallOf(int op) => _callEntry[op];

    /// <summary>Takes both of <paramref name="op"/>'s entries out of the list.</summary>
    public void Lift(int op)
    {
        Remove(_callEntry[op]);
        Remove(_returnEntry[op]);
    }

    /// <summary>Undoes the latest <see cref="Lift"/> not yet undone, which must be <paramref name="op"/>'s.</summary>
    public void Unlift(int op)
    {
        Restore(_returnEntry[op]);
        Restore(_callEntry[op]);
    }

    /// <summary>The operations whose call entries stand before <paramref name="entry"/>, in list order.</summary>
    public int[] CallsBefore(int entry)
    {
        var ops = new List<int>();
        for (var e = First; e != entry; e = _next[e])
            if (IsCall(e)) ops.Add(OperationOf(e));
        return [.. ops];
    }

    private void Remove(int e)
    {
        _next[_prev[e]] = _next[e];
        if (_next[e] != End) _prev[_next[e]] = _prev[e];
    }

    /// <summary>A removed entry still points at its old neighbours; entries go back in reverse order of removal.</summary>
    private void Restore(int e)
    {
        _next[_prev[e]] = e;
        if (_next[e] != End) _prev[_next[e]] = e;
    }
}
