using OrleansZk.Testing.Linearizability;
using static OrleansZk.Testing.Linearizability.ZnodeInput;
using static OrleansZk.Testing.Linearizability.ZnodeOutput;

namespace OrleansZk.Testing.Tests;

/// <summary>The checker's contract around the search: deadlines, malformed input, partitions, reports.</summary>
public sealed class CheckerTests
{
    private static readonly ZnodeScript Simple = new ZnodeScript()
        .Ok(1, 0, 10, Create("a"), Ok)
        .Ok(2, 20, 30, GetData(), Get("a", 0), key: "/k")
        .Ok(2, 20, 30, GetData(), Get("b", 0), key: "/other");

    [Fact]
    public void A_deadline_that_passes_gives_Unknown_never_Ok()
    {
        var result = LinearizabilityChecker.Check(new ZnodeModel(), Simple.Operations, TimeSpan.Zero);

        Assert.Equal(Verdict.Unknown, result.Verdict);
        Assert.False(result.IsOk);
        Assert.Equal(["/k", "/other"], result.Undecided);
        Assert.StartsWith("unknown: the deadline (00:00:00) passed with 2 partitions undecided (/k, /other)", result.ToString());
    }

    [Fact]
    public void An_empty_history_is_linearizable()
    {
        Checks.Linearizable(LinearizabilityChecker.Check(new ZnodeModel(), [], TimeSpan.Zero));
    }

    [Fact]
    public void With_no_timeout_every_partition_is_decided_and_only_the_bad_one_reported()
    {
        var result = LinearizabilityChecker.Check(new ZnodeModel(), Simple.Operations, Timeout.InfiniteTimeSpan);

        Assert.Equal(Verdict.Illegal, result.Verdict);
        Assert.Equal("/other", Assert.Single(result.Violations).Partition);
    }

    public static TheoryData<Operation<ZnodeInput, ZnodeOutput>[]> Malformed => new()
    {
        new[] { new Operation<ZnodeInput, ZnodeOutput>(0, 1, "/k", GetData(), 10, 5, Outcome.Ok, NoNode) },
        new[] { new Operation<ZnodeInput, ZnodeOutput>(0, 1, "/k", GetData(), 10, null, Outcome.Ok, NoNode) },
        new[] { new Operation<ZnodeInput, ZnodeOutput>(0, 1, "/k", GetData(), 10, 20, Outcome.Fail, null) },
        new[]
        {
            new Operation<ZnodeInput, ZnodeOutput>(0, 1, "/k", GetData(), 10, 20, Outcome.Ok, NoNode),
            new Operation<ZnodeInput, ZnodeOutput>(0, 2, "/j", GetData(), 10, 20, Outcome.Ok, NoNode),
        },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_operations_are_refused(Operation<ZnodeInput, ZnodeOutput>[] ops)
    {
        Assert.Throws<ArgumentException>(() => LinearizabilityChecker.Check(new ZnodeModel(), ops, Checks.Generous));
    }

    [Fact]
    public void A_model_may_partition_other_than_by_key()
    {
        // Children of one parent share the parent's sequence: partitioned by parent path.
        var ops = new[]
        {
            new Operation<SequenceInput, SequenceOutput>(0, 1, "/q/a", SequenceInput.Create, 0, 10, Outcome.Ok, SequenceOutput.Created(0)),
            new Operation<SequenceInput, SequenceOutput>(1, 2, "/q/b", SequenceInput.Create, 20, 30, Outcome.Ok, SequenceOutput.Created(0)),
        };

        Assert.Equal(Verdict.Ok, LinearizabilityChecker.Check(new SequenceModel(), ops, Checks.Generous).Verdict);
        var byParent = LinearizabilityChecker.Check(new ByParent(), ops, Checks.Generous);
        Assert.Equal("/q", Checks.Illegal(byParent).Partition);
    }

    private sealed class ByParent : IModel<int, SequenceInput, SequenceOutput>
    {
        private readonly SequenceModel _inner = new();

        public int Initial(string partition) => _inner.Initial(partition);

        public (bool Ok, int State) Step(int state, SequenceInput input, SequenceOutput output) => _inner.Step(state, input, output);

        public int StepUnknown(int state, SequenceInput input) => _inner.StepUnknown(state, input);

        public string Partition(string key, SequenceInput input) => key[..key.LastIndexOf('/')];
    }
}
