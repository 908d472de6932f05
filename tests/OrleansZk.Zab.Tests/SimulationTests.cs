using System.Diagnostics;
using OrleansZk.Zab.Simulator;
using Xunit.Abstractions;

namespace OrleansZk.Zab.Tests;

/// <summary>
/// The deterministic simulation as CI runs it: ≥ 2,000 seeds each of 3- and 5-replica clusters,
/// every seed a disturbed cluster (crashes, partitions, lossy non-FIFO network, torn writes),
/// zero violations, and averages that prove the cluster really was disturbed.
/// </summary>
public class SimulationTests(ITestOutputHelper output)
{
    public const int CiSeeds = 2000;

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void Ci_seeds_find_no_violation_in_a_disturbed_cluster(int replicas)
    {
        var options = new SimOptions { Replicas = replicas };
        var summary = SimRunner.Run(firstSeed: 1, CiSeeds, options);
        output.WriteLine($"{replicas} replicas: {summary.Seeds} seeds in {summary.Elapsed.TotalSeconds:F1}s; avg crashes {summary.Crashes:F1}, partitions {summary.Partitions:F1}, leader changes {summary.LeaderChanges:F1}, commits {summary.Commits:F1}; leader loss median {summary.Percentile(0.5)} p99 {summary.Percentile(0.99)} ticks");
        foreach (var f in summary.Failures.Take(5)) output.WriteLine($"seed {f.Seed}: {f.Violations[0]}\n  {SimRunner.ReproCommand(f.Seed, options)}");
        Assert.Empty(summary.Failures.Select(f => $"seed {f.Seed}: {f.Violations[0]}"));
        Assert.True(summary.LeaderChanges >= 1, $"barely disturbed: {summary.LeaderChanges:F2} leader changes per seed");
        Assert.True(summary.Commits >= 100, $"barely disturbed: {summary.Commits:F1} commits per seed");
        Assert.True(summary.Crashes >= 1 && summary.Partitions >= 1, "faults were not injected");
    }

    [Theory]
    [InlineData("minority-quorum", 3, 20)]
    [InlineData("minority-quorum", 5, 20)]
    [InlineData("skip-trunc", 3, 50)]
    [InlineData("skip-trunc", 5, 50)]
    [InlineData("ack-before-fsync", 3, 200)]
    [InlineData("ack-before-fsync", 5, 400)]
    public void Mutants_are_caught_within_a_bounded_number_of_seeds(string mutant, int replicas, int bound)
    {
        var options = new SimOptions { Replicas = replicas, Mutant = mutant };
        int? caught = null;
        for (int seed = 1; seed <= bound && caught is null; seed++)
        {
            var r = new Simulation(seed, options).Run();
            if (r.Failed) { caught = seed; output.WriteLine($"{mutant}: seed {seed}: {r.Violations[0]}"); }
        }
        Assert.True(caught is not null, $"{mutant} survived {bound} seeds");
    }

    [Fact]
    public void A_seed_is_reproducible_event_for_event()
    {
        string Trace(int seed)
        {
            var w = new StringWriter();
            new Simulation(seed, new SimOptions { Replicas = 3, FaultTicks = 300 }, w).Run();
            return w.ToString();
        }
        string a = Trace(42), b = Trace(42);
        Assert.True(a.Length > 10_000);
        Assert.Equal(a, b);
        Assert.NotEqual(a, Trace(43));
    }

    [Fact]
    public void The_program_prints_the_summary_line_and_fails_on_violations()
    {
        var ok = RunProgram("--seeds 20 --replicas 3");
        Assert.Equal(0, ok.Code);
        Assert.Equal("20 seeds, 0 violations", ok.Lines[^1]);
        var bad = RunProgram("--seeds 5 --replicas 3 --mutant minority-quorum");
        Assert.NotEqual(0, bad.Code);
        Assert.Matches(@"^5 seeds, [1-5] violations$", bad.Lines[^1]);
        Assert.Contains(bad.Lines, l => l.Contains("reproduce: dotnet run -c Release --project tests/OrleansZk.Zab.Simulator -- --seed"));
    }

    [Fact]
    public void A_barely_disturbed_run_is_a_failed_run()
    {
        var weak = RunProgram("--seeds 20 --replicas 3 --ticks 40");
        Assert.NotEqual(0, weak.Code);
        Assert.Contains(weak.Lines, l => l.StartsWith("FAILED: barely-disturbed run"));
        Assert.Equal("20 seeds, 0 violations", weak.Lines[^1]);
    }

    static (int Code, string[] Lines) RunProgram(string args)
    {
        string dll = typeof(Simulation).Assembly.Location;
        var psi = new ProcessStartInfo("dotnet", $"\"{dll}\" {args}") { RedirectStandardOutput = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        string text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
