using System.Text.Json.Serialization;

namespace OrleansZk.Testing.Linearizability;

/// <summary>How an operation ended, as its client saw it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Outcome>))]
public enum Outcome
{
    /// <summary>The service answered with a result (<see cref="Operation{TInput,TOutput}.Output"/>).</summary>
    Ok,

    /// <summary>
    /// The service answered with a definite failure: an error result the model judges like any
    /// other output (BadVersion, NoNode), or a refusal that did not take effect (the model's
    /// output type says which). Checked exactly as <see cref="Ok"/>; kept apart for reports.
    /// </summary>
    Fail,

    /// <summary>
    /// The client does not know whether the operation took effect (ConnectionLoss, a timeout, a
    /// request still outstanding when the history ended). It is checked as if it returned at the
    /// end of the history: it may take effect at any point after its call, or never observably.
    /// </summary>
    Unknown,
}

/// <summary>
/// One operation of a history: a client's call on one key, the times it was invoked and
/// answered, and what it got.
/// </summary>
/// <param name="Id">Unique within its history; a <see cref="History{TInput,TOutput}"/> numbers operations in call order from 0.</param>
/// <param name="ClientId">The client (process, session) that issued it; used in reports only.</param>
/// <param name="Key">What it acts on (a znode path); the model partitions by it.</param>
/// <param name="Input">What was asked.</param>
/// <param name="Call">When it was invoked, in timestamp ticks (<see cref="System.Diagnostics.Stopwatch"/> ticks for a recorded history); taken before the request left the client.</param>
/// <param name="Return">
/// When its answer was received (after the answer arrived, so <c>Return &gt;= Call</c>); for an
/// <see cref="Outcome.Unknown"/> operation the time the client gave up, or null if it never
/// completed. The checker ignores it for unknown operations.
/// </param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Output">What it got; required unless <paramref name="Outcome"/> is <see cref="Outcome.Unknown"/>, when it is ignored.</param>
public sealed record Operation<TInput, TOutput>(
    int Id,
    int ClientId,
    string Key,
    TInput Input,
    long Call,
    long? Return,
    Outcome Outcome,
    TOutput? Output)
{
    /// <summary>Throws <see cref="ArgumentException"/> unless the operation is well formed (see the parameters).</summary>
    internal void Validate()
    {
        if (Outcome == Outcome.Unknown) return;
        if (Return is not { } ret)
            throw new ArgumentException($"operation {Id} ({Outcome}) has no return time; only Unknown operations may lack one");
        if (ret < Call)
            throw new ArgumentException($"operation {Id} returned ({ret}) before it was called ({Call})");
        if (Output is null)
            throw new ArgumentException($"operation {Id} ({Outcome}) has no output; only Unknown operations may lack one");
    }
}
