using System.Diagnostics;
using System.Globalization;

namespace OrleansZk.RecipesBench;

/// <summary>
/// One measured workload; <see cref="Line"/> is field for field the line bench/curator/RecipesBench.java
/// prints, so the two systems' outputs join on (workload, mode, clients).
/// </summary>
internal sealed record Result(string Workload, string Mode, int Clients, int N, double OpsPerSec, double P50Ms, double P99Ms)
{
    public string Key => $"{Workload}/{Mode}/{Clients}";

    public string Line(string stat) => string.Create(CultureInfo.InvariantCulture,
        $"RESULT system=orleanszk workload={Workload} mode={Mode} clients={Clients} n={N} ops_per_s={OpsPerSec:F0} p50_ms={P50Ms:F3} p99_ms={P99Ms:F3} {stat}");

    /// <summary>ops/s over the wall time (<see cref="Stopwatch"/> ticks); p50 and p99 by nearest rank.</summary>
    public static Result Of(string workload, string mode, int clients, long[] latencies, long elapsedTicks)
    {
        var sorted = (long[])latencies.Clone();
        Array.Sort(sorted);
        var ticksPerMs = Stopwatch.Frequency / 1000.0;
        return new Result(workload, mode, clients, sorted.Length, sorted.Length * (double)Stopwatch.Frequency / elapsedTicks,
            Rank(sorted, 0.50) / ticksPerMs, Rank(sorted, 0.99) / ticksPerMs);
    }

    private static long Rank(long[] sorted, double q) => sorted[(int)Math.Ceiling(q * sorted.Length) - 1];

    /// <summary>Per workload, in first-seen order, the median across runs of each metric taken separately.</summary>
    public static List<Result> Medians(IEnumerable<Result> all) =>
        [.. all.GroupBy(r => r.Key).Select(runs => runs.First() with
        {
            OpsPerSec = Median(runs.Select(r => r.OpsPerSec)),
            P50Ms = Median(runs.Select(r => r.P50Ms)),
            P99Ms = Median(runs.Select(r => r.P99Ms)),
        })];

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
