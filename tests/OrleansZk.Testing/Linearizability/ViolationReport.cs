using System.Globalization;
using System.Text;

namespace OrleansZk.Testing.Linearizability;

/// <summary>Turns a search's deepest dead end into a <see cref="Violation{TInput,TOutput}"/> a person can read.</summary>
internal sealed class ViolationReport<TState, TInput, TOutput>(IModel<TState, TInput, TOutput> model, long origin, long timestampFrequency)
{
    /// <summary>How many operations of the longest prefix the explanation lists (its end).</summary>
    public const int PrefixShown = 20;

    public Violation<TInput, TOutput> Build(string partition, IReadOnlyList<Operation<TInput, TOutput>> ops, DeadEnd<TState> deadEnd)
    {
        var prefix = deadEnd.Prefix.Select(i => ops[i]).ToArray();
        var blocked = ops[deadEnd.Blocked];
        var unplaced = deadEnd.Unplaced.Select(i => ops[i]).ToArray();

        var sb = new StringBuilder();
        sb.Append("partition ").Append(partition).Append(": not linearizable (").Append(ops.Count).AppendLine(" operations).");
        sb.Append("The longest linearizable order found places ").Append(prefix.Length).Append(" of them");
        if (prefix.Length > PrefixShown)
            sb.Append("; its last ").Append(PrefixShown).Append(" (").Append(prefix.Length - PrefixShown).Append(" earlier not shown)");
        sb.AppendLine(prefix.Length == 0 ? "." : ":");
        for (var i = Math.Max(0, prefix.Length - PrefixShown); i < prefix.Length; i++)
        {
            sb.Append("  ").Append(Describe(prefix[i]));
            if (prefix[i].Outcome == Outcome.Unknown) sb.Append(deadEnd.Settled[i] ? "   (never took effect)" : "   (took effect here)");
            sb.AppendLine();
        }
        sb.Append("State after it: ").AppendLine(model.DescribeState(deadEnd.State));
        sb.Append("Then no operation can come next, yet #").Append(blocked.Id).Append(" (client ").Append(blocked.ClientId)
          .Append(blocked.Outcome == Outcome.Unknown
              ? ") had settled by then (its client's later operation was acknowledged)"
              : $") returned at {Time(blocked.Return!.Value)} and so must have taken effect by then")
          .AppendLine(". The candidates, none of which can be placed:");
        foreach (var op in unplaced)
        {
            var allowed = op.Outcome == Outcome.Unknown || model.Step(deadEnd.State, op.Input, op.Output!).Ok;
            sb.Append("  ").Append(Describe(op))
              .AppendLine(allowed ? "   <- allowed here, but no order of the rest can follow it" : "   <- not allowed in this state");
        }
        sb.Append("Times are from the history's first call.");
        return new Violation<TInput, TOutput>(partition, ops, prefix, blocked, unplaced, sb.ToString());
    }

    /// <summary><c>#id client c [call, return] input -> output</c> (<c>failed: output</c>, <c>unknown</c>).</summary>
    public string Describe(Operation<TInput, TOutput> op)
    {
        var ret = op.Outcome == Outcome.Unknown ? "?" : Time(op.Return!.Value);
        var result = op.Outcome switch
        {
            Outcome.Unknown => "unknown",
            Outcome.Fail => "failed: " + model.DescribeOutput(op.Input, op.Output!),
            _ => model.DescribeOutput(op.Input, op.Output!),
        };
        return $"#{op.Id} client {op.ClientId} [{Time(op.Call)}, {ret}] {model.DescribeInput(op.Input)} -> {result}";
    }

    private string Time(long ticks) =>
        "+" + ((ticks - origin) * 1000.0 / timestampFrequency).ToString("F6", CultureInfo.InvariantCulture) + " ms";
}
