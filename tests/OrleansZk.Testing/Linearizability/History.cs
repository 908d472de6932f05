namespace OrleansZk.Testing.Linearizability;

/// <summary>
/// Records a concurrent history for the linearizability checker. Thread-safe: any number of
/// clients call <see cref="Invoke"/> just before sending a request and complete the returned
/// <see cref="PendingOperation{TInput,TOutput}"/> just after its answer arrives (or when they give
/// up on it). Times come from <see cref="TimeProvider.GetTimestamp"/> (Stopwatch ticks by default),
/// a monotonic clock shared by all threads, so "returned before the other was called" is real time.
/// </summary>
/// <remarks>
/// Operations never completed count as <see cref="Outcome.Unknown"/>. Ids are assigned in call
/// order from 0. A history read back with <see cref="Load(string, System.Text.Json.JsonSerializerOptions?)"/>
/// is read-only: its clock was another process's.
/// </remarks>
public sealed partial class History<TInput, TOutput>
{
    private readonly Lock _gate = new();
    private readonly List<PendingOperation<TInput, TOutput>> _ops = [];
    private readonly TimeProvider? _time;

    /// <summary>An empty history timed by <paramref name="time"/> (default: <see cref="TimeProvider.System"/>, Stopwatch ticks).</summary>
    public History(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        TimestampFrequency = _time.TimestampFrequency;
    }

    private History(long timestampFrequency, IEnumerable<Operation<TInput, TOutput>> operations)
    {
        TimestampFrequency = timestampFrequency;
        foreach (var op in operations) _ops.Add(new PendingOperation<TInput, TOutput>(this, op));
    }

    /// <summary>Timestamp ticks per second.</summary>
    public long TimestampFrequency { get; }

    /// <summary>The number of operations invoked so far.</summary>
    public int Count
    {
        get { lock (_gate) return _ops.Count; }
    }

    /// <summary>
    /// Records that <paramref name="clientId"/> is about to send <paramref name="input"/> on
    /// <paramref name="key"/>. Call it before the request leaves the client; complete the result
    /// after the answer arrives.
    /// </summary>
    /// <exception cref="InvalidOperationException">The history was loaded from a file.</exception>
    public PendingOperation<TInput, TOutput> Invoke(int clientId, string key, TInput input)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_gate)
        {
            var op = new PendingOperation<TInput, TOutput>(this, _ops.Count, clientId, key, input, Now());
            _ops.Add(op);
            return op;
        }
    }

    /// <summary>
    /// Records a multi (one atomic request over several keys) as one operation per part, all with
    /// the same call time and, once completed, the same return time and outcome. The checker then
    /// checks each key on its own; that the multi was all or nothing is <see cref="MultiAtomicity"/>'s check.
    /// </summary>
    /// <exception cref="InvalidOperationException">The history was loaded from a file.</exception>
    public PendingMulti<TInput, TOutput> InvokeMulti(int clientId, IEnumerable<(string Key, TInput Input)> parts)
    {
        var list = parts.ToList();
        if (list.Count == 0) throw new ArgumentException("a multi needs at least one part", nameof(parts));
        lock (_gate)
        {
            var now = Now();
            var pending = new PendingOperation<TInput, TOutput>[list.Count];
            for (var i = 0; i < list.Count; i++)
            {
                pending[i] = new PendingOperation<TInput, TOutput>(this, _ops.Count, clientId, list[i].Key, list[i].Input, now);
                _ops.Add(pending[i]);
            }
            return new PendingMulti<TInput, TOutput>(this, pending);
        }
    }

    /// <summary>
    /// A snapshot of the operations so far, in id (call) order; operations not yet completed appear
    /// as <see cref="Outcome.Unknown"/> with no return time.
    /// </summary>
    public IReadOnlyList<Operation<TInput, TOutput>> Operations()
    {
        lock (_gate) return _ops.Select(o => o.ToOperation()).ToArray();
    }

    /// <summary>Completes <paramref name="ops"/> together at one timestamp; throws if any already completed.</summary>
    internal void Complete(IReadOnlyList<PendingOperation<TInput, TOutput>> ops, Outcome outcome, IReadOnlyList<TOutput>? outputs)
    {
        lock (_gate)
        {
            foreach (var op in ops)
                if (op.CompletedAs is { } done)
                    throw new InvalidOperationException($"operation {op.Id} was already completed ({done})");
            var now = Now();
            for (var i = 0; i < ops.Count; i++)
                ops[i].SetCompletion(now, outcome, outputs is null ? default : outputs[i]);
        }
    }

    /// <summary>Caller holds <see cref="_gate"/>, so ids and call times increase together.</summary>
    private long Now() =>
        _time?.GetTimestamp() ?? throw new InvalidOperationException("a history loaded from a file is read-only");
}

/// <summary>
/// An invoked operation waiting for its outcome. Complete it exactly once, with
/// <see cref="Ok"/>, <see cref="Fail"/> or <see cref="Unknown"/>; left alone it counts as unknown.
/// Thread-safe.
/// </summary>
public sealed class PendingOperation<TInput, TOutput>
{
    private readonly History<TInput, TOutput> _history;
    private long? _return;
    private TOutput? _output;

    internal PendingOperation(History<TInput, TOutput> history, int id, int clientId, string key, TInput input, long call)
    {
        _history = history;
        (Id, ClientId, Key, Input, Call) = (id, clientId, key, input, call);
    }

    internal PendingOperation(History<TInput, TOutput> history, Operation<TInput, TOutput> done)
        : this(history, done.Id, done.ClientId, done.Key, done.Input, done.Call)
    {
        _return = done.Return;
        _output = done.Output;
        if (done.Return is not null || done.Outcome != Outcome.Unknown) CompletedAs = done.Outcome;
    }

    /// <summary>The operation's id in its history.</summary>
    public int Id { get; }

    /// <summary>The client that invoked it.</summary>
    public int ClientId { get; }

    /// <summary>The key it acts on.</summary>
    public string Key { get; }

    /// <summary>What it asked.</summary>
    public TInput Input { get; }

    /// <summary>When it was invoked, in the history's timestamp ticks.</summary>
    public long Call { get; }

    /// <summary>How it was completed, or null while it is pending. Written under the history's lock.</summary>
    internal Outcome? CompletedAs { get; private set; }

    /// <summary>The service answered with <paramref name="output"/>.</summary>
    /// <exception cref="InvalidOperationException">Already completed.</exception>
    public void Ok(TOutput output) => _history.Complete([this], Outcome.Ok, [output]);

    /// <summary>The service answered with a definite failure, <paramref name="output"/> (see <see cref="Outcome.Fail"/>).</summary>
    /// <exception cref="InvalidOperationException">Already completed.</exception>
    public void Fail(TOutput output) => _history.Complete([this], Outcome.Fail, [output]);

    /// <summary>The client gave up without knowing whether the operation took effect.</summary>
    /// <exception cref="InvalidOperationException">Already completed.</exception>
    public void Unknown() => _history.Complete([this], Outcome.Unknown, null);

    internal void SetCompletion(long at, Outcome outcome, TOutput? output)
    {
        _return = at;
        _output = outcome == Outcome.Unknown ? default : output;
        CompletedAs = outcome;
    }

    /// <summary>Caller holds the history's lock.</summary>
    internal Operation<TInput, TOutput> ToOperation() =>
        new(Id, ClientId, Key, Input, Call, _return, CompletedAs ?? Outcome.Unknown, _output);
}

/// <summary>The parts of an invoked multi (<see cref="History{TInput,TOutput}.InvokeMulti"/>), completed together.</summary>
public sealed class PendingMulti<TInput, TOutput>
{
    private readonly History<TInput, TOutput> _history;

    internal PendingMulti(History<TInput, TOutput> history, PendingOperation<TInput, TOutput>[] parts)
    {
        _history = history;
        Parts = parts;
    }

    /// <summary>One operation per part, in the order given.</summary>
    public IReadOnlyList<PendingOperation<TInput, TOutput>> Parts { get; }

    /// <summary>The multi committed; <paramref name="outputs"/> has one result per part.</summary>
    public void Ok(IReadOnlyList<TOutput> outputs) => Complete(Outcome.Ok, outputs);

    /// <summary>
    /// The multi failed and took no effect. <paramref name="outputs"/> has one result per part:
    /// the error of the part that failed (the model judges it) and a "did not take effect" result
    /// for the others.
    /// </summary>
    public void Fail(IReadOnlyList<TOutput> outputs) => Complete(Outcome.Fail, outputs);

    /// <summary>The client does not know whether the multi took effect.</summary>
    public void Unknown() => _history.Complete(Parts, Outcome.Unknown, null);

    private void Complete(Outcome outcome, IReadOnlyList<TOutput> outputs)
    {
        if (outputs.Count != Parts.Count)
            throw new ArgumentException($"{outputs.Count} outputs for a multi of {Parts.Count} parts", nameof(outputs));
        _history.Complete(Parts, outcome, outputs);
    }
}
