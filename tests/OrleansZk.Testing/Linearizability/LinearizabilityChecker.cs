using System.Diagnostics;

namespace OrleansZk.Testing.Linearizability;

/// <summary>
/// Decides whether a history is linearizable with respect to a model: the Wing–Gong search with
/// Lowe's memoization (as Porcupine implements it), one partition at a time.
/// </summary>
/// <remarks>
/// <para>
/// The history is split by <see cref="IModel{TState,TInput,TOutput}.Partition"/>; a history is
/// linearizable if and only if each partition is (the partitions are independent objects), and
/// small partitions are exponentially cheaper to search than one big one.
/// </para>
/// <para>
/// <see cref="Outcome.Ok"/> and <see cref="Outcome.Fail"/> operations are placed between their
/// call and return and judged by <see cref="IModel{TState,TInput,TOutput}.Step"/>.
/// <see cref="Outcome.Unknown"/> operations return at the end of the history: each may take effect
/// at any point after its call (<see cref="IModel{TState,TInput,TOutput}.StepUnknown"/>), or be
/// placed after everything else, which is how "it never took effect" looks to every observer.
/// Unknown read-only operations are dropped. With <see cref="CheckOptions.ClientOrder"/> an
/// unknown operation settles earlier, once its client has moved on (see there).
/// </para>
/// <para>
/// Partitions are checked one after another on the calling thread, in ordinal order of their
/// names; the search's worst case is exponential in the number of mutually concurrent operations,
/// hence the deadline.
/// </para>
/// </remarks>
public static class LinearizabilityChecker
{
    /// <summary>
    /// Checks a recorded (or loaded) history, as
    /// <see cref="Check{TState,TInput,TOutput}(IModel{TState,TInput,TOutput}, IEnumerable{Operation{TInput,TOutput}}, TimeSpan, CheckOptions?)"/>,
    /// with the history's timestamp frequency unless <paramref name="options"/> give one.
    /// </summary>
    public static CheckResult<TInput, TOutput> Check<TState, TInput, TOutput>(
        IModel<TState, TInput, TOutput> model, History<TInput, TOutput> history, TimeSpan timeout, CheckOptions? options = null)
    {
        options ??= CheckOptions.Default;
        if (options.TimestampFrequency == 0) options = options with { TimestampFrequency = history.TimestampFrequency };
        return Check(model, history.Operations(), timeout, options);
    }

    /// <summary>
    /// Checks <paramref name="operations"/> against <paramref name="model"/>, giving up after
    /// <paramref name="timeout"/> (<see cref="System.Threading.Timeout.InfiniteTimeSpan"/>: never).
    /// A deadline reached before a violation is found gives <see cref="Verdict.Unknown"/>, never
    /// <see cref="Verdict.Ok"/>.
    /// </summary>
    /// <param name="model">The specification.</param>
    /// <param name="operations">The history; ids must be unique (they name operations in reports).</param>
    /// <param name="timeout">How long the whole check may take.</param>
    /// <param name="options">See <see cref="CheckOptions"/>; null = <see cref="CheckOptions.Default"/>.</param>
    /// <exception cref="ArgumentException">An operation is malformed (a completed one without return time or output, or returning before its call), or ids repeat.</exception>
    public static CheckResult<TInput, TOutput> Check<TState, TInput, TOutput>(
        IModel<TState, TInput, TOutput> model, IEnumerable<Operation<TInput, TOutput>> operations, TimeSpan timeout,
        CheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= CheckOptions.Default;
        var started = Stopwatch.GetTimestamp();
        var deadline = Deadline(started, timeout);
        var all = operations.ToList();
        foreach (var op in all) op.Validate();
        if (all.Select(o => o.Id).Distinct().Count() != all.Count)
            throw new ArgumentException("operation ids must be unique", nameof(operations));
        var settleBy = SettleTimes(all, options.ClientOrder);

        var partitions = new SortedDictionary<string, List<Operation<TInput, TOutput>>>(StringComparer.Ordinal);
        var dropped = 0;
        foreach (var op in all)
        {
            if (op.Outcome == Outcome.Unknown && model.IsReadOnly(op.Input))
            {
                dropped++;
                continue;
            }
            var name = model.Partition(op.Key, op.Input);
            if (!partitions.TryGetValue(name, out var list)) partitions[name] = list = [];
            list.Add(op);
        }

        var origin = all.Count > 0 ? all.Min(o => o.Call) : 0;
        var frequency = options.TimestampFrequency > 0 ? options.TimestampFrequency : Stopwatch.Frequency;
        var report = new ViolationReport<TState, TInput, TOutput>(model, origin, frequency);
        var violations = new List<Violation<TInput, TOutput>>();
        var undecided = new List<string>();
        foreach (var (name, ops) in partitions)
        {
            if (Stopwatch.GetTimestamp() >= deadline)
            {
                undecided.Add(name);
                continue;
            }
            ops.Sort(static (a, b) => a.Call != b.Call ? a.Call.CompareTo(b.Call) : a.Id.CompareTo(b.Id));
            var search = new LinearizationSearch<TState, TInput, TOutput>(model, name, ops, ops.Select(o => settleBy[o.Id]).ToArray(), options.ClientOrder);
            switch (search.Run(deadline, out var deepest))
            {
                case SearchVerdict.Illegal:
                    violations.Add(report.Build(name, ops, deepest!));
                    break;
                case SearchVerdict.TimedOut:
                    undecided.Add(name);
                    break;
            }
        }
        return new CheckResult<TInput, TOutput>(
            violations, undecided, partitions.Count, all.Count, dropped, timeout, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// By operation id, when each unknown operation has settled: with client order, the earliest
    /// return of an acknowledged operation its client sent later (on any key); otherwise never
    /// (long.MaxValue), as for every other operation.
    /// </summary>
    private static Dictionary<int, long> SettleTimes<TInput, TOutput>(List<Operation<TInput, TOutput>> all, bool clientOrder)
    {
        var settleBy = all.ToDictionary(o => o.Id, _ => long.MaxValue);
        if (!clientOrder) return settleBy;
        foreach (var client in all.GroupBy(o => o.ClientId))
        {
            var earliestLaterAck = long.MaxValue;
            foreach (var op in client.OrderByDescending(o => o.Call).ThenByDescending(o => o.Id))
            {
                if (op.Outcome == Outcome.Unknown) settleBy[op.Id] = earliestLaterAck;
                else if (op.Outcome == Outcome.Ok) earliestLaterAck = Math.Min(earliestLaterAck, op.Return!.Value);
            }
        }
        return settleBy;
    }

    /// <summary>The Stopwatch timestamp <paramref name="timeout"/> after <paramref name="start"/>, saturating.</summary>
    private static long Deadline(long start, TimeSpan timeout)
    {
        if (timeout == System.Threading.Timeout.InfiniteTimeSpan) return long.MaxValue;
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        var ticks = timeout.TotalSeconds * Stopwatch.Frequency;
        return ticks >= long.MaxValue - start ? long.MaxValue : start + (long)ticks;
    }
}
