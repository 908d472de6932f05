using OrleansZk.Testing.Linearizability;

namespace OrleansZk.Testing.Tests;

/// <summary>
/// Histories shaped like the service's crash tests (<see cref="CrashWorkload"/>: pipelining
/// clients, leader crashes that leave every request in flight unknown) pass, with and without
/// client order, and a stale or premature read slipped into them is caught.
/// </summary>
public sealed class CrashHistoryTests
{
    private const int Seeds = 10;

    private static readonly CrashWorkload Workload = new(Operations: 2000, Keys: 8, Clients: 8, Pipeline: 4, Crashes: 4);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Crash_histories_are_linearizable(bool clientOrder)
    {
        var unknown = 0;
        for (var seed = 1; seed <= Seeds; seed++)
        {
            var ops = Workload.Generate(seed);
            var result = LinearizabilityChecker.Check(new ZnodeModel(), ops, Checks.Generous, Checks.Nanoseconds with { ClientOrder = clientOrder });
            Assert.True(result.IsOk, $"seed {seed}: {result}");
            unknown += ops.Count(o => o.Outcome == Outcome.Unknown);
        }
        Assert.True(unknown > Seeds * 20, $"only {unknown} unknown operations in {Seeds} histories");
    }

    [Theory]
    [InlineData("future", false)]
    [InlineData("future", true)]
    [InlineData("stale", false)]
    [InlineData("stale", true)]
    public void A_read_changed_so_that_no_order_explains_it_is_caught(string mutation, bool clientOrder)
    {
        for (var seed = 1; seed <= Seeds; seed++)
        {
            var ops = Workload.Generate(seed);
            var change = mutation == "future" ? Mutations.FutureRead(ops, seed) : Mutations.StaleRead(ops, seed);
            Assert.True(change.HasValue, $"seed {seed}: no read to change");
            var (read, wrong) = change.Value;

            var result = LinearizabilityChecker.Check(new ZnodeModel(), Mutations.Replace(ops, read, wrong), Checks.Generous,
                Checks.Nanoseconds with { ClientOrder = clientOrder });

            Assert.True(result.Verdict == Verdict.Illegal, $"seed {seed}, #{read.Id}: {result}");
        }
    }

    [Fact]
    public void Random_histories_that_break_client_order_are_caught_only_when_it_is_promised()
    {
        // RegisterWorkload lets an unknown request take effect long after its client moved on.
        var ops = new RegisterWorkload(Operations: 2000, Keys: 4, Clients: 6, UnknownFraction: 0.05).Generate(seed: 3);

        Checks.Linearizable(LinearizabilityChecker.Check(new ZnodeModel(), ops, Checks.Generous, Checks.Nanoseconds));
        Assert.Equal(Verdict.Illegal, LinearizabilityChecker.Check(new ZnodeModel(), ops, Checks.Generous, Checks.ClientOrder).Verdict);
    }
}
