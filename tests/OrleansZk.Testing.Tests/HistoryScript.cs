using OrleansZk.Testing.Linearizability;

namespace OrleansZk.Testing.Tests;

/// <summary>
/// A hand-written history with explicit times (plain numbers, read as nanoseconds), built one
/// operation at a time: <c>new ZnodeScript().Ok(client: 1, 0, 10, SetData("a"), Set(1))</c>.
/// </summary>
public abstract class HistoryScript<TSelf, TInput, TOutput>(string defaultKey)
    where TSelf : HistoryScript<TSelf, TInput, TOutput>
{
    private readonly List<Operation<TInput, TOutput>> _ops = [];

    public IReadOnlyList<Operation<TInput, TOutput>> Operations => _ops;

    public TSelf Ok(int client, long call, long ret, TInput input, TOutput output, string? key = null) =>
        Add(client, call, ret, input, Outcome.Ok, output, key);

    public TSelf Fail(int client, long call, long ret, TInput input, TOutput output, string? key = null) =>
        Add(client, call, ret, input, Outcome.Fail, output, key);

    /// <summary>An operation whose client gave up at <paramref name="gaveUp"/> (null: never completed).</summary>
    public TSelf Unknown(int client, long call, long? gaveUp, TInput input, string? key = null) =>
        Add(client, call, gaveUp, input, Outcome.Unknown, default, key);

    private TSelf Add(int client, long call, long? ret, TInput input, Outcome outcome, TOutput? output, string? key)
    {
        _ops.Add(new Operation<TInput, TOutput>(_ops.Count, client, key ?? defaultKey, input, call, ret, outcome, output));
        return (TSelf)this;
    }
}

public sealed class ZnodeScript(string defaultKey = "/k") : HistoryScript<ZnodeScript, ZnodeInput, ZnodeOutput>(defaultKey)
{
    public CheckResult<ZnodeInput, ZnodeOutput> Check(CheckOptions? options = null) =>
        LinearizabilityChecker.Check(new ZnodeModel(), Operations, Checks.Generous, options ?? Checks.Nanoseconds);
}

public sealed class SequenceScript(string defaultKey = "/queue") : HistoryScript<SequenceScript, SequenceInput, SequenceOutput>(defaultKey)
{
    public CheckResult<SequenceInput, SequenceOutput> Check(CheckOptions? options = null) =>
        LinearizabilityChecker.Check(new SequenceModel(), Operations, Checks.Generous, options ?? Checks.Nanoseconds);
}

public static class Checks
{
    /// <summary>A deadline no test should come near: reaching it makes the verdict Unknown, which fails the test.</summary>
    public static readonly TimeSpan Generous = TimeSpan.FromMinutes(5);

    /// <summary>Hand-written and generated histories count time in nanoseconds.</summary>
    public static readonly CheckOptions Nanoseconds = new() { TimestampFrequency = 1_000_000_000 };

    /// <summary>As <see cref="Nanoseconds"/>, with the service promising FIFO client order.</summary>
    public static readonly CheckOptions ClientOrder = Nanoseconds with { ClientOrder = true };

    public static void Linearizable<TInput, TOutput>(CheckResult<TInput, TOutput> result) =>
        Assert.True(result.Verdict == Verdict.Ok, result.ToString());

    public static Violation<TInput, TOutput> Illegal<TInput, TOutput>(CheckResult<TInput, TOutput> result)
    {
        Assert.True(result.Verdict == Verdict.Illegal, result.ToString());
        return Assert.Single(result.Violations);
    }
}
