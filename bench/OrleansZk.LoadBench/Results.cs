using System.Diagnostics;
using System.Globalization;

namespace OrleansZk.LoadBench;

/// <summary>
/// Per-request latencies (<see cref="Stopwatch"/> ticks) of one driven sequence, its wall time
/// (ticks), and the CPU the benchmark process and the server process used meanwhile.
/// </summary>
internal sealed record Timing(long[] Latencies, long ElapsedTicks, CpuUse Cpu);

/// <summary>CPU time used: by this process (the client) and by the silo (null when it is not this benchmark's child).</summary>
internal readonly record struct CpuUse(TimeSpan Client, TimeSpan? Server)
{
    public static CpuUse operator -(CpuUse end, CpuUse start) => new(end.Client - start.Client, end.Server - start.Server);
}

/// <summary>
/// One measured workload. <see cref="Line"/> is the machine-readable line, field for field the
/// one bench/zookeeper/ZkBench.java prints, so that the two systems' outputs compare line by line.
/// </summary>
internal sealed record Result(string Workload, string Mode, int Clients, int N, double OpsPerSec, double P50Ms, double P99Ms,
    double ClientCpuUsPerOp, double? ServerCpuUsPerOp)
{
    public const string SystemName = "orleanszk";

    public string Key => $"{Workload}/{Mode}/{Clients}";

    public string Line(string stat) => string.Create(CultureInfo.InvariantCulture,
        $"RESULT system={SystemName} workload={Workload} mode={Mode} clients={Clients} n={N} ops_per_s={OpsPerSec:F0} p50_ms={P50Ms:F3} p99_ms={P99Ms:F3} {stat}");

    /// <summary>
    /// Not in ZkBench (which has no handle on the server process): CPU µs per request of the client
    /// process and of the silo over the workload's wall time. A separate line, so the RESULT lines
    /// stay field for field ZkBench's.
    /// </summary>
    public string CpuLine(string stat) => string.Create(CultureInfo.InvariantCulture,
        $"CPU system={SystemName} workload={Workload} mode={Mode} clients={Clients} n={N} client_us_per_op={ClientCpuUsPerOp:F1} server_us_per_op={(ServerCpuUsPerOp is { } s ? s.ToString("F1", CultureInfo.InvariantCulture) : "-")} {stat}");

    /// <summary>ops/s over the wall time; p50 and p99 by nearest rank.</summary>
    public static Result Of(string workload, string mode, int clients, Timing timing)
    {
        var sorted = (long[])timing.Latencies.Clone();
        Array.Sort(sorted);
        var ticksPerMs = Stopwatch.Frequency / 1000.0;
        return new Result(workload, mode, clients, sorted.Length,
            sorted.Length * (double)Stopwatch.Frequency / timing.ElapsedTicks,
            Percentile(sorted, 0.50) / ticksPerMs, Percentile(sorted, 0.99) / ticksPerMs,
            timing.Cpu.Client.TotalMicroseconds / sorted.Length, timing.Cpu.Server?.TotalMicroseconds / sorted.Length);
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    public static long Percentile(long[] sorted, double q) => sorted[(int)Math.Ceiling(q * sorted.Length) - 1];

    /// <summary>Per workload, in first-seen order, the median across runs of each metric taken separately.</summary>
    public static List<Result> Medians(IEnumerable<Result> all) =>
        all.GroupBy(r => r.Key)
            .Select(runs => runs.First() with
            {
                OpsPerSec = Median(runs.Select(r => r.OpsPerSec)),
                P50Ms = Median(runs.Select(r => r.P50Ms)),
                P99Ms = Median(runs.Select(r => r.P99Ms)),
                ClientCpuUsPerOp = Median(runs.Select(r => r.ClientCpuUsPerOp)),
                ServerCpuUsPerOp = runs.First().ServerCpuUsPerOp is null ? null : Median(runs.Select(r => r.ServerCpuUsPerOp ?? 0)),
            })
            .ToList();

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    public static void PrintTable(string title, IReadOnlyList<Result> results)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine($"{SystemName}, {title}:");
        Console.WriteLine(string.Format(c, "{0,-8} {1,-9} {2,7} {3,6} {4,8} {5,9} {6,9} {7,12} {8,12}",
            "workload", "mode", "clients", "n", "ops/s", "p50 ms", "p99 ms", "client us/op", "silo us/op"));
        foreach (var r in results)
            Console.WriteLine(string.Format(c, "{0,-8} {1,-9} {2,7} {3,6} {4,8:F0} {5,9:F3} {6,9:F3} {7,12:F1} {8,12}",
                r.Workload, r.Mode, r.Clients, r.N, r.OpsPerSec, r.P50Ms, r.P99Ms, r.ClientCpuUsPerOp,
                r.ServerCpuUsPerOp is { } s ? s.ToString("F1", c) : "-"));
        Console.WriteLine();
    }
}
