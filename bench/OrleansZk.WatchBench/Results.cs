using System.Globalization;

namespace OrleansZk.WatchBench;

/// <summary>Nearest-rank p50 and p99, min and max of <see cref="N"/> samples, in ms.</summary>
internal readonly record struct Stats(int N, double P50, double P99, double Min, double Max)
{
    public static Stats Of(IReadOnlyCollection<double> samples)
    {
        var s = samples.Order().ToArray();
        return new Stats(s.Length, Percentile(s, 0.50), Percentile(s, 0.99), s[0], s[^1]);
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    public static double Percentile(double[] sorted, double q) => sorted[(int)Math.Ceiling(q * sorted.Length) - 1];
}

/// <summary>
/// One measured configuration (workload, kind, sessions) of one run, or the medians or pooled
/// samples of several. <see cref="Line"/> is field for field the line bench/zookeeper/WatchBench.java
/// prints, so the two systems' outputs compare line by line.
/// </summary>
internal sealed record Result(string Workload, string Kind, int Sessions, Stats Stats, double[]? SamplesMs)
{
    public const string SystemName = "orleanszk";

    public Result(string workload, string kind, int sessions, double[] samplesMs)
        : this(workload, kind, sessions, Stats.Of(samplesMs), samplesMs)
    {
    }

    public string Key => $"{Workload}/{Kind}/{Sessions}";

    public string Line(string stat) => string.Create(CultureInfo.InvariantCulture,
        $"RESULT system={SystemName} workload={Workload} kind={Kind} sessions={Sessions} n={Stats.N} p50_ms={Stats.P50:F3} p99_ms={Stats.P99:F3} min_ms={Stats.Min:F3} max_ms={Stats.Max:F3} {stat}");

    /// <summary>Per configuration, in first-seen order, the median across runs of each statistic taken separately (as ZkBench's medians).</summary>
    public static List<Result> Medians(IEnumerable<Result> all) =>
        all.GroupBy(r => r.Key)
            .Select(runs => runs.First() with
            {
                Stats = new Stats(runs.First().Stats.N,
                    Median(runs.Select(r => r.Stats.P50)), Median(runs.Select(r => r.Stats.P99)),
                    Median(runs.Select(r => r.Stats.Min)), Median(runs.Select(r => r.Stats.Max))),
                SamplesMs = null,
            })
            .ToList();

    /// <summary>Per configuration, the statistics of every run's samples together.</summary>
    public static List<Result> Pooled(IEnumerable<Result> all) =>
        all.GroupBy(r => r.Key)
            .Select(runs => new Result(runs.First().Workload, runs.First().Kind, runs.First().Sessions,
                runs.SelectMany(r => r.SamplesMs ?? []).ToArray()))
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
        Console.WriteLine(string.Format(c, "{0,-8} {1,-16} {2,8} {3,6} {4,9} {5,9} {6,9} {7,9}",
            "workload", "kind", "sessions", "n", "p50 ms", "p99 ms", "min ms", "max ms"));
        foreach (var r in results)
            Console.WriteLine(string.Format(c, "{0,-8} {1,-16} {2,8} {3,6} {4,9:F3} {5,9:F3} {6,9:F3} {7,9:F3}",
                r.Workload, r.Kind, r.Sessions, r.Stats.N, r.Stats.P50, r.Stats.P99, r.Stats.Min, r.Stats.Max));
        Console.WriteLine();
    }
}
