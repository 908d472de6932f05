namespace OrleansZk.Core.Tests.Conformance;

/// <summary>
/// Replays every recorded scenario (Conformance/scenarios/*.zks) against OrleansZk's core and
/// compares each answer with what Apache ZooKeeper 3.8 answered (Conformance/expected/*.out).
/// </summary>
public sealed class ConformanceTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "Conformance");

    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(Root, "scenarios"), "*.zks").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileNameWithoutExtension(f));
        return data;
    }

    [Fact]
    public void There_are_recorded_scenarios()
    {
        var scenarios = Directory.GetFiles(Path.Combine(Root, "scenarios"), "*.zks");
        Assert.True(scenarios.Length >= 20, $"only {scenarios.Length} scenarios found under {Root}");
        foreach (var s in scenarios)
            Assert.True(File.Exists(Path.Combine(Root, "expected", Path.GetFileNameWithoutExtension(s) + ".out")), $"{s} has no recording");
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Scenario_matches_ZooKeeper(string name)
    {
        var commands = File.ReadAllLines(Path.Combine(Root, "scenarios", name + ".zks"))
            .Where(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#'))
            .ToList();
        var expected = File.ReadAllLines(Path.Combine(Root, "expected", name + ".out"));
        Assert.Equal(commands.Count, expected.Length);

        var harness = new ConformanceHarness();
        var mismatches = new List<string>();
        for (var i = 0; i < commands.Count; i++)
        {
            var want = expected[i];
            Assert.StartsWith(commands[i] + " -> ", want);
            var actual = commands[i] + " -> " + harness.Run(commands[i]);
            if (actual != want) mismatches.Add($"  line {i + 1}\n    zookeeper: {want}\n    orleanszk: {actual}");
        }
        Assert.True(mismatches.Count == 0, $"{name}: {mismatches.Count} answers differ from ZooKeeper's:\n" + string.Join("\n", mismatches.Take(15)));
    }
}
