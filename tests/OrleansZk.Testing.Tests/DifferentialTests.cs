using OrleansZk.Testing.Linearizability;

namespace OrleansZk.Testing.Tests;

/// <summary>
/// The checker against <see cref="BruteForce"/> on thousands of tiny seeded histories of one key,
/// half of them tampered with, with and without client order: every verdict must agree. This is
/// what keeps the search's shortcuts (forced placements, interchangeable unknown operations,
/// settling) honest.
/// </summary>
public sealed class DifferentialTests
{
    private const int Histories = 3000;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_checker_agrees_with_brute_force_on_tiny_znode_histories(bool clientOrder)
    {
        var model = new ZnodeModel();
        Compare(model, clientOrder, (rng, id) => RandomZnodeInput(rng), ZnodeModel.Apply, (rng, input) => RandomZnodeOutput(rng, input));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_checker_agrees_with_brute_force_on_tiny_sequence_histories(bool clientOrder)
    {
        var model = new SequenceModel();
        Compare(model, clientOrder,
            (rng, id) => rng.Next(3) == 0 ? SequenceInput.GetChildren : SequenceInput.Create,
            (counter, input) => input.Op == SequenceOp.CreateSequential
                ? (SequenceOutput.Created(counter), counter + 1)
                : (SequenceOutput.Listed(Enumerable.Range(0, counter)), counter),
            (rng, input) => input.Op == SequenceOp.CreateSequential
                ? SequenceOutput.Created(rng.Next(4))
                : SequenceOutput.Listed(Enumerable.Range(0, 4).Where(_ => rng.Next(2) == 0)));
    }

    private static void Compare<TState, TInput, TOutput>(
        IModel<TState, TInput, TOutput> model, bool clientOrder,
        Func<Random, int, TInput> input, Func<TState, TInput, (TOutput, TState)> apply, Func<Random, TInput, TOutput> wrong)
        where TOutput : class
    {
        var options = Checks.Nanoseconds with { ClientOrder = clientOrder };
        int linearizable = 0, unknownOps = 0;
        for (var seed = 0; seed < Histories; seed++)
        {
            var rng = new Random(seed);
            var ops = Tiny(rng, model.Initial("/k"), input, apply, wrong);
            var expected = BruteForce.IsLinearizable(model, ops, clientOrder);
            var result = LinearizabilityChecker.Check(model, ops, Checks.Generous, options);
            Assert.True(result.Verdict == (expected ? Verdict.Ok : Verdict.Illegal),
                $"seed {seed}: brute force says {(expected ? "linearizable" : "not")}, the checker {result}\n" +
                string.Join("\n", ops.Select(o => $"  #{o.Id} client {o.ClientId} [{o.Call}, {o.Return}] {model.DescribeInput(o.Input)} -> {o.Outcome} {(o.Output is null ? "" : model.DescribeOutput(o.Input, o.Output))}")));
            if (expected) linearizable++;
            unknownOps += ops.Count(o => o.Outcome == Outcome.Unknown);
        }
        Assert.InRange(linearizable, Histories / 4, Histories * 3 / 4);
        Assert.True(unknownOps > Histories / 2, $"only {unknownOps} unknown operations in {Histories} histories");
    }

    /// <summary>
    /// Up to seven operations by three clients over a short time span, executed in the order of
    /// random points inside their intervals; a quarter end unknown (half of those never took
    /// effect); then, half the time, one output replaced by a random one.
    /// </summary>
    private static List<Operation<TInput, TOutput>> Tiny<TState, TInput, TOutput>(
        Random rng, TState initial, Func<Random, int, TInput> input, Func<TState, TInput, (TOutput, TState)> apply, Func<Random, TInput, TOutput> wrong)
        where TOutput : class
    {
        var n = rng.Next(1, 8);
        var plan = Enumerable.Range(0, n).Select(id =>
        {
            var call = rng.Next(20);
            var point = call + rng.Next(6);
            return (Id: id, Client: rng.Next(3), Input: input(rng, id), Call: (long)call, Point: point,
                Return: (long)(point + rng.Next(6)), Unknown: rng.Next(4) == 0, Effect: rng.Next(2) == 0);
        }).ToList();

        var outputs = new TOutput?[n];
        var state = initial;
        foreach (var p in plan.Where(p => !p.Unknown || p.Effect).OrderBy(p => p.Point).ThenBy(p => p.Id))
            (outputs[p.Id], state) = apply(state, p.Input);
        var known = plan.Where(p => !p.Unknown).ToList();
        if (known.Count > 0 && rng.Next(2) == 0)
        {
            var victim = known[rng.Next(known.Count)];
            outputs[victim.Id] = wrong(rng, victim.Input);
        }

        // Some known outcomes are Fail (checked alike, but they settle nothing under client order).
        return plan.Select(p => new Operation<TInput, TOutput>(p.Id, p.Client, "/k", p.Input, p.Call,
            p.Unknown ? null : p.Return, p.Unknown ? Outcome.Unknown : p.Id % 3 == 0 ? Outcome.Fail : Outcome.Ok,
            p.Unknown ? null : outputs[p.Id])).ToList();
    }

    private static ZnodeInput RandomZnodeInput(Random rng)
    {
        ZnodeData data = rng.Next(2) == 0 ? "a" : "b";
        var version = rng.Next(-1, 2);
        return rng.Next(5) switch
        {
            0 => ZnodeInput.Create(data),
            1 => ZnodeInput.Delete(version),
            2 => ZnodeInput.SetData(data, version),
            3 => ZnodeInput.GetData(),
            _ => ZnodeInput.Exists(),
        };
    }

    private static ZnodeOutput RandomZnodeOutput(Random rng, ZnodeInput input) => input.Op switch
    {
        ZnodeOp.Create => rng.Next(2) == 0 ? ZnodeOutput.Ok : ZnodeOutput.NodeExists,
        ZnodeOp.Delete => new[] { ZnodeOutput.Ok, ZnodeOutput.NoNode, ZnodeOutput.BadVersion }[rng.Next(3)],
        ZnodeOp.SetData => rng.Next(3) == 0 ? ZnodeOutput.NoNode : ZnodeOutput.Set(rng.Next(3)),
        ZnodeOp.GetData => rng.Next(3) == 0 ? ZnodeOutput.NoNode : ZnodeOutput.Get(rng.Next(2) == 0 ? "a" : "b", rng.Next(3)),
        _ => ZnodeOutput.Exists(rng.Next(2) == 0, rng.Next(3)),
    };
}
