using System.Globalization;
using System.Text;

namespace OrleansZk.Testing.Linearizability;

/// <summary>What the checker concluded about a history.</summary>
public enum Verdict
{
    /// <summary>Every partition is linearizable.</summary>
    Ok,

    /// <summary>At least one partition is not linearizable (see <see cref="CheckResult{TInput,TOutput}.Violations"/>).</summary>
    Illegal,

    /// <summary>No violation was found, but the deadline passed before every partition was decided: not a pass.</summary>
    Unknown,
}

/// <summary>A partition that is not linearizable, with what the search learned about why.</summary>
/// <param name="Partition">The partition (by default the key).</param>
/// <param name="Operations">The partition's operations the search considered, in call order (unknown read-only ones dropped).</param>
/// <param name="LongestPrefix">The longest order of operations the search could linearize, in order.</param>
/// <param name="Blocked">
/// The operation that stopped that order: it returned (so it must have taken effect) before any
/// remaining operation could be placed next.
/// </param>
/// <param name="Unplaced">
/// Every operation that could have come next at that point (called before <paramref name="Blocked"/>
/// returned) and could not: the model refused it, or nothing could follow it. Includes
/// <paramref name="Blocked"/>.
/// </param>
/// <param name="Explanation">All of that in words, with times and client ids.</param>
public sealed record Violation<TInput, TOutput>(
    string Partition,
    IReadOnlyList<Operation<TInput, TOutput>> Operations,
    IReadOnlyList<Operation<TInput, TOutput>> LongestPrefix,
    Operation<TInput, TOutput> Blocked,
    IReadOnlyList<Operation<TInput, TOutput>> Unplaced,
    string Explanation)
{
    /// <summary>The <see cref="Explanation"/>.</summary>
    public override string ToString() => Explanation;
}

/// <summary>The result of <see cref="LinearizabilityChecker"/>: a verdict, and why.</summary>
public sealed class CheckResult<TInput, TOutput>
{
    internal CheckResult(
        IReadOnlyList<Violation<TInput, TOutput>> violations, IReadOnlyList<string> undecided,
        int partitions, int operations, int dropped, TimeSpan timeout, TimeSpan elapsed)
    {
        Violations = violations;
        Undecided = undecided;
        Partitions = partitions;
        Operations = operations;
        Dropped = dropped;
        Timeout = timeout;
        Elapsed = elapsed;
        Verdict = violations.Count > 0 ? Verdict.Illegal : undecided.Count > 0 ? Verdict.Unknown : Verdict.Ok;
    }

    /// <summary>Illegal if any partition is; otherwise Unknown if any is undecided; otherwise Ok.</summary>
    public Verdict Verdict { get; }

    /// <summary>True only for <see cref="Verdict.Ok"/>.</summary>
    public bool IsOk => Verdict == Verdict.Ok;

    /// <summary>The partitions found not linearizable, in ordinal order of their names.</summary>
    public IReadOnlyList<Violation<TInput, TOutput>> Violations { get; }

    /// <summary>The partitions the deadline left undecided (cut short or never started).</summary>
    public IReadOnlyList<string> Undecided { get; }

    /// <summary>The number of partitions.</summary>
    public int Partitions { get; }

    /// <summary>The number of operations in the history.</summary>
    public int Operations { get; }

    /// <summary>Unknown-outcome read-only operations, which constrain nothing and were not searched.</summary>
    public int Dropped { get; }

    /// <summary>The time the checker was given.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The time it took.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>A one-line summary, then every violation's explanation.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        var size = $"{Operations} operations ({Dropped} unknown reads dropped) in {Partitions} partitions, {Elapsed.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture)} s";
        switch (Verdict)
        {
            case Verdict.Ok:
                sb.Append("linearizable: ").Append(size);
                break;
            case Verdict.Unknown:
                sb.Append("unknown: the deadline (").Append(Timeout).Append(") passed with ").Append(Undecided.Count)
                  .Append(" partitions undecided (").AppendJoin(", ", Undecided.Take(10))
                  .Append(Undecided.Count > 10 ? ", ...)" : ")").Append("; no violation in the others; ").Append(size);
                break;
            default:
                sb.Append("NOT linearizable: ").Append(Violations.Count).Append(" partitions (")
                  .AppendJoin(", ", Violations.Select(v => v.Partition).Take(10)).Append(Violations.Count > 10 ? ", ...)" : ")");
                if (Undecided.Count > 0) sb.Append(", ").Append(Undecided.Count).Append(" undecided");
                sb.Append("; ").Append(size);
                foreach (var v in Violations) sb.AppendLine().AppendLine().Append(v.Explanation);
                break;
        }
        return sb.ToString();
    }
}
