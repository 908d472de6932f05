using OrleansZk.Testing.Linearizability;

namespace OrleansZk.Testing.Tests;

/// <summary>
/// Seeded random histories of a znode register: the generated ones (linearizable by
/// construction, with unknown outcomes) must pass; one read changed in a way that certainly
/// breaks linearizability must fail for every seed; one output changed at random must fail for
/// most seeds; and a large history over many keys must be decided.
/// </summary>
public sealed class RandomHistoryTests
{
    private const int Seeds = 40;

    /// <summary>Few keys and many clients: most operations overlap others on their key.</summary>
    private static readonly RegisterWorkload Contended = new(Operations: 300, Keys: 2, Clients: 6, UnknownFraction: 0.05);

    private static CheckResult<ZnodeInput, ZnodeOutput> Check(IEnumerable<Operation<ZnodeInput, ZnodeOutput>> ops) =>
        LinearizabilityChecker.Check(new ZnodeModel(), ops, Checks.Generous, Checks.Nanoseconds);

    [Fact]
    public void Generated_histories_are_linearizable()
    {
        int overlapping = 0, unknown = 0, failed = 0, total = 0;
        for (var seed = 1; seed <= Seeds; seed++)
        {
            var ops = Contended.Generate(seed);
            var result = Check(ops);
            Assert.True(result.IsOk, $"seed {seed}: {result}");

            total += ops.Count;
            unknown += ops.Count(o => o.Outcome == Outcome.Unknown);
            failed += ops.Count(o => o.Outcome == Outcome.Fail);
            overlapping += ops.Count(a => a.Outcome != Outcome.Unknown && ops.Any(b =>
                b.Id != a.Id && b.Key == a.Key && b.Outcome != Outcome.Unknown && b.Call < a.Return && a.Call < b.Return));
        }
        Assert.True(overlapping > total / 2, $"only {overlapping} of {total} operations overlap another on their key");
        Assert.InRange(unknown, total / 40, total / 10);
        Assert.True(failed > total / 20, $"only {failed} of {total} operations failed (NoNode, NodeExists, BadVersion)");
    }

    public static TheoryData<string> Breaking => ["never written", "future", "stale"];

    [Theory]
    [MemberData(nameof(Breaking))]
    public void A_read_changed_so_that_no_order_explains_it_is_rejected_in_every_history(string mutation)
    {
        for (var seed = 1; seed <= Seeds; seed++)
        {
            var ops = Contended.Generate(seed);
            var change = mutation switch
            {
                "never written" => Mutations.NeverWritten(ops, seed),
                "future" => Mutations.FutureRead(ops, seed),
                _ => Mutations.StaleRead(ops, seed),
            };
            Assert.True(change.HasValue, $"seed {seed}: no read to change");
            var (read, wrong) = change.Value;

            var result = Check(Mutations.Replace(ops, read, wrong));

            Assert.True(result.Verdict == Verdict.Illegal, $"seed {seed}, #{read.Id} now returns {wrong.Describe(read.Input.Op)}: {result}");
            Assert.Contains(result.Violations, v => v.Partition == read.Key);
        }
    }

    [Fact]
    public void One_output_changed_at_random_is_rejected_in_most_histories()
    {
        const int seeds = 100;
        var rejected = 0;
        for (var seed = 1; seed <= seeds; seed++)
        {
            var ops = Contended.Generate(seed);
            var rng = new Random(seed);
            var definite = ops.Where(o => o.Outcome != Outcome.Unknown).ToList();
            var victim = definite[rng.Next(definite.Count)];
            var mutated = Mutations.Replace(ops, victim, Wrong(victim, rng));
            var result = Check(mutated);
            Assert.NotEqual(Verdict.Unknown, result.Verdict);
            if (result.Verdict == Verdict.Illegal) rejected++;
        }
        // Some changes stay linearizable: a create's success and a concurrent create's
        // NodeExists can swap, an exists can be flipped while a create or delete overlaps it.
        // These seeds reject 97 of 100.
        Assert.True(rejected >= seeds * 90 / 100, $"only {rejected} of {seeds} mutated histories were rejected");
    }

    [Fact]
    public void A_large_history_over_many_keys_is_decided_well_within_a_generous_deadline()
    {
        var workload = new RegisterWorkload(Operations: 20_000, Keys: 200, Clients: 64, UnknownFraction: 0.02);
        var ops = workload.Generate(seed: 7);

        var result = Check(ops);

        Assert.True(result.IsOk, result.ToString());
        Assert.Equal(200, result.Partitions);
        Assert.Equal(20_000, result.Operations);
    }

    /// <summary>A plausible wrong output for <paramref name="op"/>: the right kind of answer with one thing changed.</summary>
    private static ZnodeOutput Wrong(Operation<ZnodeInput, ZnodeOutput> op, Random rng)
    {
        var output = op.Output!;
        var ok = output.Code == ZnodeCode.Ok;
        return op.Input.Op switch
        {
            ZnodeOp.Create => ok ? ZnodeOutput.NodeExists : ZnodeOutput.Ok,
            ZnodeOp.Delete => ok ? ZnodeOutput.NoNode : ZnodeOutput.Ok,
            ZnodeOp.SetData => ok ? ZnodeOutput.Set(output.Version + 1) : ZnodeOutput.Set(rng.Next(1, 5)),
            ZnodeOp.GetData => ok ? ZnodeOutput.Get(output.Data, output.Version + (rng.Next(2) == 0 ? 1 : -1)) : ZnodeOutput.Get($"v{rng.Next(op.Id)}", 0),
            _ => ZnodeOutput.Exists(!output.Found, 0),
        };
    }
}
