using System.Diagnostics;

namespace OrleansZk.Testing.Linearizability;

/// <summary>How one partition's search ended.</summary>
internal enum SearchVerdict
{
    Linearizable,
    Illegal,
    TimedOut,
}

/// <summary>
/// The deepest point where the search got stuck: the operations linearized so far (indices, in
/// order; <paramref name="Settled"/> marks unknown ones placed as never having taken effect), the
/// state after them, the operation whose return was reached before it could be placed, and every
/// operation that was a candidate there (all failed; includes <paramref name="Blocked"/>).
/// </summary>
internal sealed record DeadEnd<TState>(int[] Prefix, bool[] Settled, TState State, int Blocked, int[] Unplaced);

/// <summary>
/// The Wing–Gong linearizability search with Lowe's memoization, over one partition's operations.
/// </summary>
/// <remarks>
/// <para>
/// The search walks the <see cref="EntryList"/>: at a call entry it tries to linearize that
/// operation next (the model must allow it and the resulting configuration — set linearized,
/// state — must be new), lifts both its entries out and starts again from the front; reaching a
/// return entry means that operation had to take effect by then and did not, so the last choice
/// is undone and the entry after it tried. The history is linearizable once every operation with
/// a known outcome is placed (unknown ones left over go last), and is not when a return entry is
/// reached with nothing to undo.
/// </para>
/// <para>
/// Some placements are forced, with no alternative to try when they fail: a known operation
/// that changes nothing where it stands goes first (if any order works, so does the one with it
/// moved to the front); an unknown operation still pending at its settle time is placed as
/// "never took effect". Unknown operations are not placed while an interchangeable one
/// (<see cref="UnknownOperations.Twins"/>) is pending. Under client order, placing an operation
/// also settles its client's earlier unknown operations still pending.
/// </para>
/// <para>Single use: <see cref="Run"/> consumes the list. Not thread-safe.</para>
/// </remarks>
internal sealed class LinearizationSearch<TState, TInput, TOutput>
{
    private const int StepsBetweenClockReads = 1024;

    private enum Placement : byte
    {
        /// <summary>One of several candidates: when it fails, the next is tried.</summary>
        Choice,

        /// <summary>The only move worth making: when it fails, so does the configuration before it.</summary>
        Forced,

        /// <summary>An unknown operation settled by the placement just above it (client order); undone with it.</summary>
        Companion,
    }

    private readonly IModel<TState, TInput, TOutput> _model;
    private readonly Operation<TInput, TOutput>[] _ops;
    private readonly EntryList _entries;
    private readonly bool[] _unknown;
    private readonly int[] _twin;
    private readonly int[]?[] _earlierUnknowns;
    private readonly VisitedSet<TState> _visited;
    private readonly ulong[] _linearized;
    private readonly int[] _stackOp;
    private readonly Placement[] _stackKind;
    private readonly TState[] _stackState;
    private readonly List<int> _settling = [];
    private ulong _setHash;
    private int _depth;
    private TState _state;
    private int _definiteLeft;

    /// <param name="model">The specification.</param>
    /// <param name="partition">The partition's name, for <see cref="IModel{TState,TInput,TOutput}.Initial"/>.</param>
    /// <param name="ops">The partition's operations, validated, in call order (an operation's index is its position here).</param>
    /// <param name="settleBy">For each unknown operation, the time by which it took effect or never will (long.MaxValue: no bound); ignored for others.</param>
    /// <param name="clientOrder">Whether each client's operations take effect in the order called (<see cref="CheckOptions.ClientOrder"/>).</param>
    public LinearizationSearch(IModel<TState, TInput, TOutput> model, string partition,
        IReadOnlyList<Operation<TInput, TOutput>> ops, IReadOnlyList<long> settleBy, bool clientOrder)
    {
        _model = model;
        _ops = [.. ops];
        var n = _ops.Length;
        _unknown = _ops.Select(o => o.Outcome == Outcome.Unknown).ToArray();
        _entries = new EntryList(
            _ops.Select(o => o.Call).ToArray(),
            _ops.Select((o, i) => _unknown[i] ? Math.Max(settleBy[i], o.Call) : o.Return!.Value).ToArray());
        _twin = UnknownOperations.Twins(_ops, settleBy, clientOrder);
        _earlierUnknowns = clientOrder ? UnknownOperations.EarlierUnknowns(_ops, settleBy) : new int[]?[n];

        _visited = new VisitedSet<TState>(model.StateComparer);
        _linearized = new ulong[(n + 63) / 64];
        _stackOp = new int[n];
        _stackKind = new Placement[n];
        _stackState = new TState[n];
        _state = model.Initial(partition);
        _definiteLeft = n - _unknown.Count(u => u);
    }

    /// <summary>Configurations explored by <see cref="Run"/>.</summary>
    public int Visited => _visited.Count;

    /// <summary>
    /// Searches for a linearization; gives up with <see cref="SearchVerdict.TimedOut"/> once
    /// <see cref="Stopwatch.GetTimestamp"/> reaches <paramref name="deadline"/>.
    /// <paramref name="deepest"/> is the deepest dead end met (set whenever the verdict is
    /// <see cref="SearchVerdict.Illegal"/>).
    /// </summary>
    public SearchVerdict Run(long deadline, out DeadEnd<TState>? deepest)
    {
        deepest = null;
        long steps = 0;
        var fresh = true;
        for (var entry = _entries.First; _definiteLeft > 0;)
        {
            if (++steps % StepsBetweenClockReads == 0 && Stopwatch.GetTimestamp() >= deadline)
                return SearchVerdict.TimedOut;

            if (fresh)
            {
                // A configuration just reached: a known operation that changes nothing here goes first.
                fresh = false;
                var (noop, same) = FindNoop();
                if (noop != EntryList.End)
                {
                    if (TryPush(noop, same, Placement.Forced)) fresh = true;
                    else if (!Backtrack(out entry)) return SearchVerdict.Illegal; // explored and failed before
                    continue;
                }
                entry = _entries.First;
            }

            var op = _entries.OperationOf(entry);
            if (_entries.IsCall(entry))
            {
                if (!(_unknown[op] && IsPending(_twin[op])))
                {
                    var (ok, after) = Step(op);
                    if (ok && TryPush(op, after, Placement.Choice))
                    {
                        fresh = true;
                        continue;
                    }
                }
                entry = _entries.Next(entry);
                continue;
            }

            if (_unknown[op] && TryPush(op, _state, Placement.Forced))
            {
                fresh = true;
                continue;
            }

            // A dead end: op had to be placed by now and cannot be.
            if (deepest is null || _depth > deepest.Prefix.Length)
                deepest = new DeadEnd<TState>(_stackOp[.._depth], Settled(), _state, op, _entries.CallsBefore(entry));
            if (!Backtrack(out entry)) return SearchVerdict.Illegal;
        }
        return SearchVerdict.Linearizable;
    }

    /// <summary>
    /// A candidate with a known outcome that the model allows here without a change of state and
    /// that settles nothing, and that state; (<see cref="EntryList.End"/>, _) if none. Placing it
    /// at once loses nothing: it was called before every pending operation returned, so any
    /// order that works from here works with it moved to the front.
    /// </summary>
    private (int Op, TState State) FindNoop()
    {
        for (var e = _entries.First; e != EntryList.End && _entries.IsCall(e); e = _entries.Next(e))
        {
            var op = _entries.OperationOf(e);
            if (_unknown[op] || AnyPending(_earlierUnknowns[op])) continue;
            var (ok, after) = Step(op);
            if (ok && _model.StateComparer.Equals(after, _state)) return (op, after);
        }
        return (EntryList.End, _state);
    }

    /// <summary>
    /// Undoes placements back to the latest one that had alternatives, and gives the entry after
    /// it to try next; false when there is none (the history is not linearizable).
    /// </summary>
    private bool Backtrack(out int entry)
    {
        Placement kind;
        int top;
        do
        {
            if (_depth == 0)
            {
                entry = EntryList.End;
                return false;
            }
            top = Pop(out kind);
            while (_depth > 0 && _stackKind[_depth - 1] == Placement.Companion) Pop(out _);
        }
        while (kind != Placement.Choice); // the only choice at its point, so that point is a dead end too
        entry = _entries.Next(_entries.CallOf(top));
        return true;
    }

    private (bool Ok, TState State) Step(int op)
    {
        var o = _ops[op];
        return _unknown[op] ? (true, _model.StepUnknown(_state, o.Input)) : _model.Step(_state, o.Input, o.Output!);
    }

    /// <summary>
    /// Linearizes <paramref name="op"/> next, reaching <paramref name="after"/> and settling its
    /// client's earlier pending unknown operations (unless <paramref name="op"/> is itself an
    /// unknown operation left unchanged: never taking effect implies nothing), unless that
    /// configuration was explored.
    /// </summary>
    private bool TryPush(int op, TState after, Placement kind)
    {
        _settling.Clear();
        var settlingOnly = _unknown[op] && kind == Placement.Forced;
        if (!settlingOnly && _earlierUnknowns[op] is { } earlier)
            foreach (var u in earlier)
                if (IsPending(u)) _settling.Add(u);
        foreach (var u in _settling) Flip(u);
        Flip(op);
        if (!_visited.Add(_linearized, _setHash, after))
        {
            Flip(op);
            foreach (var u in _settling) Flip(u);
            return false;
        }
        foreach (var u in _settling) Push(u, _state, Placement.Companion);
        Push(op, after, kind);
        return true;
    }

    private void Push(int op, TState after, Placement kind)
    {
        _stackOp[_depth] = op;
        _stackKind[_depth] = kind;
        _stackState[_depth++] = _state;
        _state = after;
        if (!_unknown[op]) _definiteLeft--;
        _entries.Lift(op);
    }

    private int Pop(out Placement kind)
    {
        var op = _stackOp[--_depth];
        kind = _stackKind[_depth];
        _state = _stackState[_depth];
        _stackState[_depth] = default!;
        if (!_unknown[op]) _definiteLeft++;
        Flip(op);
        _entries.Unlift(op);
        return op;
    }

    private void Flip(int op)
    {
        _linearized[op >> 6] ^= 1UL << (op & 63);
        _setHash ^= VisitedSet<TState>.MemberHash(op);
    }

    /// <summary>For each operation on the stack: an unknown one placed as never having taken effect.</summary>
    private bool[] Settled() => Enumerable.Range(0, _depth).Select(i => _unknown[_stackOp[i]] && _stackKind[i] != Placement.Choice).ToArray();

    private bool IsPending(int op) => op >= 0 && (_linearized[op >> 6] & (1UL << (op & 63))) == 0;

    private bool AnyPending(int[]? ops)
    {
        if (ops is null) return false;
        foreach (var op in ops)
            if (IsPending(op)) return true;
        return false;
    }
}
