namespace OrleansZk.Testing.Linearizability;

/// <summary>
/// What the search precomputes about a partition's unknown operations. Pure functions of the
/// operations (in call order, by index) and their settle times.
/// </summary>
internal static class UnknownOperations
{
    /// <summary>
    /// For each unknown operation, the latest earlier-called unknown one it is interchangeable with,
    /// or -1: an equal input (by the input's own Equals), the same settle time, and, under client
    /// order, the same client. While its twin is pending an operation need not be placed: placing
    /// the twin instead leads to the same state with no fewer choices left.
    /// </summary>
    public static int[] Twins<TInput, TOutput>(IReadOnlyList<Operation<TInput, TOutput>> ops, IReadOnlyList<long> settleBy, bool clientOrder)
    {
        var twins = new int[ops.Count];
        var latest = new Dictionary<(object Input, long Settle, int Client), int>();
        for (var i = 0; i < ops.Count; i++)
        {
            twins[i] = -1;
            if (ops[i].Outcome != Outcome.Unknown || ops[i].Input is not { } input) continue;
            var key = ((object)input, settleBy[i], clientOrder ? ops[i].ClientId : 0);
            if (latest.TryGetValue(key, out var twin)) twins[i] = twin;
            latest[key] = i;
        }
        return twins;
    }

    /// <summary>
    /// Under client order, for each acknowledged or unknown operation the unknown operations of
    /// its client, called before it, that may still be pending when it becomes a candidate (their
    /// settle time is not before its call); null where there are none, and for failed operations
    /// (a refusal may come from anywhere, and says nothing about what took effect). When the
    /// operation takes effect, those still pending never will: the client's requests take effect
    /// in the order sent.
    /// </summary>
    public static int[]?[] EarlierUnknowns<TInput, TOutput>(IReadOnlyList<Operation<TInput, TOutput>> ops, IReadOnlyList<long> settleBy)
    {
        var earlier = new int[]?[ops.Count];
        var open = new Dictionary<int, Queue<int>>(); // by client: unknown ops in call order; settle times rise along it
        for (var i = 0; i < ops.Count; i++)
        {
            if (!open.TryGetValue(ops[i].ClientId, out var queue)) open[ops[i].ClientId] = queue = new Queue<int>();
            while (queue.Count > 0 && settleBy[queue.Peek()] < ops[i].Call) queue.Dequeue();
            if (queue.Count > 0 && ops[i].Outcome != Outcome.Fail) earlier[i] = [.. queue];
            if (ops[i].Outcome == Outcome.Unknown) queue.Enqueue(i);
        }
        return earlier;
    }
}
