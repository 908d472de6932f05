namespace OrleansZk.Zab.Simulator;

/// <summary>Totals of a multi-seed run.</summary>
public sealed record RunSummary(int Seeds, IReadOnlyList<SeedResult> Failures, double Crashes, double Partitions,
    double LeaderChanges, double Commits, IReadOnlyList<int> LeaderLossTicks, TimeSpan Elapsed, long Messages,
    double TornCrashes, double Diffs, double Truncs, double Snaps, int MaxLivenessTicks, double Confirmations = 0)
{
    public int Violations => Failures.Count;
    /// <summary>Thresholds below which the run did not really disturb the cluster.</summary>
    public bool BarelyDisturbed => LeaderChanges < 1 || Commits < 100;
    public int Percentile(double p)
    {
        if (LeaderLossTicks.Count == 0) return -1;
        var s = LeaderLossTicks.Order().ToArray();
        return s[Math.Min(s.Length - 1, (int)Math.Ceiling(p * s.Length) - 1)];
    }
}

/// <summary>Runs many seeds (in parallel, each seed single-threaded and deterministic).</summary>
public static class SimRunner
{
    public static RunSummary Run(int firstSeed, int seeds, SimOptions options, int parallelism = 0)
    {
        var results = new SeedResult[seeds];
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Parallel.For(0, seeds, new ParallelOptions { MaxDegreeOfParallelism = parallelism > 0 ? parallelism : Environment.ProcessorCount },
            i => results[i] = new Simulation(firstSeed + i, options).Run());
        sw.Stop();
        double avg(Func<SeedResult, double> f) => seeds == 0 ? 0 : results.Average(f);
        return new RunSummary(seeds, results.Where(r => r.Failed).ToList(),
            avg(r => r.Crashes), avg(r => r.Partitions), avg(r => r.LeaderChanges), avg(r => r.Commits),
            results.SelectMany(r => r.LeaderLossTicks).ToList(), sw.Elapsed, results.Sum(r => r.Messages),
            avg(r => r.TornCrashes), avg(r => r.Diffs), avg(r => r.Truncs), avg(r => r.Snaps),
            seeds == 0 ? 0 : results.Max(r => r.LivenessTicks), avg(r => r.Confirmations));
    }

    /// <summary>The per-seed averages line printed before the summary.</summary>
    public static string Describe(RunSummary s, SimOptions o) =>
        $"replicas {o.Replicas}{(o.Mutant is null ? "" : $", mutant {o.Mutant}")}, {o.FaultTicks}+{o.LivenessTicks} ticks: per seed avg "
        + $"crashes {s.Crashes:F1} (torn writes {s.TornCrashes:F2}), partitions {s.Partitions:F1}, leader changes {s.LeaderChanges:F1}, commits {s.Commits:F1}, "
        + $"syncs DIFF {s.Diffs:F1} TRUNC {s.Truncs:F1} SNAP {s.Snaps:F1}, leadership checks confirmed {s.Confirmations:F1}; leader loss -> new established leader: median {s.Percentile(0.5)} "
        + $"p99 {s.Percentile(0.99)} ticks ({s.LeaderLossTicks.Count} samples); healed -> committed on a quorum within {s.MaxLivenessTicks} ticks; "
        + $"{s.Seeds / s.Elapsed.TotalSeconds:F1} seeds/s";

    /// <summary>The command that reproduces one seed with a readable trace.</summary>
    public static string ReproCommand(int seed, SimOptions o) =>
        $"dotnet run -c Release --project tests/OrleansZk.Zab.Simulator -- --seed {seed} --replicas {o.Replicas}"
        + (o.Mutant is null ? "" : $" --mutant {o.Mutant}") + " --trace";
}
