using OrleansZk.Testing.Linearizability;

namespace OrleansZk.Testing.Tests;

/// <summary>
/// Linearizability of a small one-partition history by trying every order, written from the
/// definition and independently of the checker's search (no entry list, no memo, no shortcuts),
/// so the two can be compared. Exponential: a handful of operations only.
/// </summary>
/// <remarks>
/// An order places every known-outcome operation and any subset of the unknown ones (the rest
/// never took effect). An operation may be placed only after every operation that returned before
/// it was called; an unknown one "returns" at the end of the history, or, under client order, at
/// the earliest return of an acknowledged operation its client called later, and then also may
/// not be placed after any later-called acknowledged or unknown operation of its client.
/// </remarks>
public static class BruteForce
{
    public static bool IsLinearizable<TState, TInput, TOutput>(
        IModel<TState, TInput, TOutput> model, IReadOnlyList<Operation<TInput, TOutput>> ops, bool clientOrder)
    {
        var n = ops.Count;
        var unknown = ops.Select(o => o.Outcome == Outcome.Unknown).ToArray();
        var returns = new long[n];
        for (var i = 0; i < n; i++)
        {
            returns[i] = unknown[i] ? long.MaxValue : ops[i].Return!.Value;
            if (unknown[i] && clientOrder)
                foreach (var later in ops.Where(o => o.ClientId == ops[i].ClientId && o.Outcome == Outcome.Ok && CalledAfter(o, ops[i])))
                    returns[i] = Math.Min(returns[i], later.Return!.Value);
        }

        // done[i]: placed, or (unknown only) given up as never taking effect.
        bool Search(TState state, bool[] done)
        {
            if (Enumerable.Range(0, n).All(i => done[i] || unknown[i])) return true;
            for (var y = 0; y < n; y++)
            {
                if (done[y]) continue;
                // Every operation that returned before y was called must be done; unknown ones give up.
                var blocked = false;
                var next = (bool[])done.Clone();
                next[y] = true;
                for (var x = 0; x < n; x++)
                {
                    if (done[x] || x == y || returns[x] >= ops[y].Call) continue;
                    if (!unknown[x]) blocked = true;
                    next[x] = true;
                }
                if (blocked) continue;
                if (clientOrder && ops[y].Outcome != Outcome.Fail)
                    for (var x = 0; x < n; x++)
                        if (unknown[x] && !done[x] && ops[x].ClientId == ops[y].ClientId && CalledAfter(ops[y], ops[x]))
                            next[x] = true;
                var (ok, after) = unknown[y] ? (true, model.StepUnknown(state, ops[y].Input)) : model.Step(state, ops[y].Input, ops[y].Output!);
                if (ok && Search(after, next)) return true;
            }
            return false;
        }

        return Search(model.Initial(ops.Count > 0 ? ops[0].Key : ""), new bool[n]);
    }

    private static bool CalledAfter<TInput, TOutput>(Operation<TInput, TOutput> a, Operation<TInput, TOutput> b) =>
        a.Call > b.Call || (a.Call == b.Call && a.Id > b.Id);
}
