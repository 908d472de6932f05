using System.Text;

namespace OrleansZk.Conformance.Tests.Differential;

/// <summary>
/// One seed's run: the generator's commands, each sent to ZooKeeper and through the SDK to the
/// service, in turn, and the two answers compared with zxids made relative (each side's zxids
/// minus that side's first zxid of the run, the root node's czxid). The run stops at the first
/// difference: every later answer would differ too.
/// </summary>
internal sealed class DifferentialRun(DifferentialFixture fixture, int seed, int commands)
{
    private readonly List<string> _script = [];

    /// <summary>How many answers of each kind ("OK create", "ERR -101", ...) ZooKeeper gave: what the run exercised.</summary>
    public Dictionary<string, int> Outcomes { get; } = [];

    /// <summary>Null when every answer agreed; else what differed, the script so far and how to re-run it.</summary>
    public async Task<string?> ExecuteAsync()
    {
        var root = fixture.RootFor(seed);
        var generator = new CommandGenerator(seed, root);
        var zooKeeper = fixture.ZooKeeper ?? throw new InvalidOperationException("the fixture has no ZooKeeper driver");
        await zooKeeper.SendAsync("reset");
        await using var sdk = new SdkSide(fixture.Cluster.Client);
        long? zkBase = null, sdkBase = null;

        async Task<string?> StepAsync(Command command)
        {
            var zk = await zooKeeper.SendAsync(command.Script);
            var ours = await sdk.RunAsync(command);
            zkBase ??= AnswerText.FirstCzxid(zk);
            sdkBase ??= AnswerText.FirstCzxid(ours);
            var expected = zkBase is { } z ? AnswerText.Relative(zk, z) : zk;
            var actual = sdkBase is { } s ? AnswerText.Relative(ours, s) : ours;
            _script.Add(command.Script + " -> " + expected);
            Count(command, zk);
            generator.Learn(command, zk);
            return expected == actual ? null : Report(command, expected, actual);
        }

        foreach (var command in generator.Start())
            if (await StepAsync(command) is { } report) return report;
        for (var i = 0; i < commands; i++)
            if (await StepAsync(generator.Next()) is { } report) return report;
        foreach (var command in generator.Finish())
            if (await StepAsync(command) is { } report) return report;
        return null;
    }

    private void Count(Command command, string answer)
    {
        var what = answer.StartsWith("ERR", StringComparison.Ordinal) ? string.Join(' ', answer.Split(' ').Take(2))
            : command is OpenSession or CloseSession ? command.Script.Split(' ')[0]
            : command.Script.Split(' ')[1];
        Outcomes[what] = Outcomes.GetValueOrDefault(what) + 1;
        if (command is Write { Request: Core.CreateRequest c }) Outcomes["mode " + c.Mode] = Outcomes.GetValueOrDefault("mode " + c.Mode) + 1;
    }

    /// <summary>The run's commands with ZooKeeper's answers (zxids relative), one line each.</summary>
    public IReadOnlyList<string> Transcript => _script;

    private string Report(Command command, string expected, string actual)
    {
        var file = Path.Combine(Path.GetTempPath(), $"orleanszk-differential-seed{seed}.zks");
        File.WriteAllLines(file, _script.Select(line => line[..line.IndexOf(" -> ", StringComparison.Ordinal)]));
        var sb = new StringBuilder();
        sb.AppendLine($"seed {seed}: answer {_script.Count} differs (zxids relative to the run's first)")
          .AppendLine($"  command:   {command.Script}")
          .AppendLine($"  zookeeper: {expected}")
          .AppendLine($"  orleanszk: {actual}")
          .AppendLine($"the run up to it, with ZooKeeper's answers (all its commands, as a scenario: {file}):");
        foreach (var line in _script.TakeLast(40)) sb.Append("  ").AppendLine(line);
        sb.Append($"re-run: {DifferentialSeeds.Variable}={seed} dotnet test tests/OrleansZk.Conformance.Tests -c Release --filter FullyQualifiedName~Differential");
        return sb.ToString();
    }
}
