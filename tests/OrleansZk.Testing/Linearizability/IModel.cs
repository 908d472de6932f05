namespace OrleansZk.Testing.Linearizability;

/// <summary>
/// A sequential specification the checker holds a history to: one object (a register, a znode,
/// a sequence counter) as a pure state machine. A history is linearizable if its operations can
/// be put in one order, consistent with real time (an operation that returned before another was
/// called comes first), in which every step is allowed by this model.
/// </summary>
/// <remarks>
/// Every member must be a pure function of its arguments: the checker calls them many times, in
/// any order, on states it keeps and compares (it never mutates a state, and neither may the
/// model). States must compare by value through <see cref="StateComparer"/>: the search skips a
/// (set of operations taken, state) pair it has already explored, so two states the comparer
/// calls equal must behave alike for every later input. Likewise inputs that are equal by their
/// own <see cref="object.Equals(object?)"/> must have the same effect in every state (records
/// do): the search treats unknown operations with equal inputs as interchangeable.
/// </remarks>
/// <typeparam name="TState">The object's state; immutable.</typeparam>
/// <typeparam name="TInput">What an operation asks.</typeparam>
/// <typeparam name="TOutput">What an operation got.</typeparam>
public interface IModel<TState, TInput, TOutput>
{
    /// <summary>The state of the object <paramref name="partition"/> before the history began.</summary>
    TState Initial(string partition);

    /// <summary>
    /// Whether <paramref name="input"/>, applied to <paramref name="state"/>, may have produced
    /// <paramref name="output"/>, and the state after it. Used for <see cref="Outcome.Ok"/> and
    /// <see cref="Outcome.Fail"/> operations alike. When <c>Ok</c> is false the returned state is
    /// ignored.
    /// </summary>
    (bool Ok, TState State) Step(TState state, TInput input, TOutput output);

    /// <summary>
    /// The state after <paramref name="input"/> took effect on <paramref name="state"/>, for an
    /// operation whose outcome is unknown: it is always allowed (its output was never seen). The
    /// possibility that it never took effect is the checker's business: it may place the
    /// operation after every other one.
    /// </summary>
    TState StepUnknown(TState state, TInput input);

    /// <summary>Equality and hashing of states. Defaults to <see cref="EqualityComparer{T}.Default"/>.</summary>
    IEqualityComparer<TState> StateComparer => EqualityComparer<TState>.Default;

    /// <summary>
    /// The independent object an operation on <paramref name="key"/> acts on. Operations of
    /// different partitions must never affect one another; the checker checks each partition on
    /// its own (P-compositionality). Defaults to the key itself.
    /// </summary>
    string Partition(string key, TInput input) => key;

    /// <summary>
    /// True if <paramref name="input"/> never changes the state. An <see cref="Outcome.Unknown"/>
    /// operation that is read-only constrains nothing, and the checker drops it. Defaults to false.
    /// </summary>
    bool IsReadOnly(TInput input) => false;

    /// <summary>A short description of an input, for reports.</summary>
    string DescribeInput(TInput input) => input?.ToString() ?? "null";

    /// <summary>A short description of what <paramref name="input"/> got, for reports.</summary>
    string DescribeOutput(TInput input, TOutput output) => output?.ToString() ?? "null";

    /// <summary>A short description of a state, for reports.</summary>
    string DescribeState(TState state) => state?.ToString() ?? "null";
}
