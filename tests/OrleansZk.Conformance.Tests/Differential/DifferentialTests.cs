namespace OrleansZk.Conformance.Tests.Differential;

/// <summary>
/// The SDK against the OrleansZk service, answer by answer against Apache ZooKeeper 3.8, on seeded
/// random command sequences (<see cref="CommandGenerator"/>): results, errors, stats and zxids
/// (relative to each run's first) must all agree. CI runs <see cref="DifferentialSeeds.Fixed"/>;
/// more seeds on demand through the environment (docs/conformance.md).
/// </summary>
public sealed class DifferentialTests(DifferentialFixture fixture) : IClassFixture<DifferentialFixture>
{
    /// <summary>Answers every run of the fixed seeds must include, so that a run that agrees has also exercised something.</summary>
    private static readonly string[] Required =
        ["create", "multi", "get", "ERR -101", "ERR -110", "ERR -103", "mode Persistent", "mode Ephemeral"];

    public static TheoryData<int> Seeds() => new(DifferentialSeeds.Seeds);

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task The_service_answers_as_ZooKeeper_does(int seed)
    {
        var run = new DifferentialRun(fixture, seed, DifferentialSeeds.Commands);
        var difference = await run.ExecuteAsync();
        if (Environment.GetEnvironmentVariable(DifferentialSeeds.TranscriptsVariable) is { Length: > 0 } dir)
            await File.WriteAllLinesAsync(Path.Combine(Directory.CreateDirectory(dir).FullName, $"seed{seed}.txt"), run.Transcript);
        Assert.True(difference == null, difference);
        if (DifferentialSeeds.Commands < DifferentialSeeds.DefaultCommands) return;
        var missing = Required.Where(r => !run.Outcomes.ContainsKey(r)).ToList();
        Assert.True(missing.Count == 0, $"seed {seed} never got {string.Join(", ", missing)}: " +
            string.Join(", ", run.Outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {o.Value}")));
    }

    [Fact]
    public void Seeds_parse_as_lists_and_ranges()
    {
        Assert.Null(DifferentialSeeds.Parse(" "));
        Assert.Equal([3, 9, 100, 101, 102], DifferentialSeeds.Parse("3, 9,100-102"));
        Assert.Equal([-2, -1], DifferentialSeeds.Parse("-2--1"));
        Assert.Throws<FormatException>(() => DifferentialSeeds.Parse("5-1"));
        Assert.Throws<FormatException>(() => DifferentialSeeds.Parse("x"));
    }
}
