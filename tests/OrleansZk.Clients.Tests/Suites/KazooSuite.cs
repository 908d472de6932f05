using OrleansZk.Clients.Tests.Support;
using OrleansZk.Clients.Tests.Targets;
using OrleansZk.Testing.Installs;

namespace OrleansZk.Clients.Tests.Suites;

/// <summary>
/// kazoo (Debian's python3-kazoo, unmodified) against the target: each script in Kazoo/ runs
/// under /usr/bin/python3 and must print exactly its NAME.log, which states ZooKeeper 3.8's
/// answers (results, stats, error codes, events). Scripts share Kazoo/harness.py; each works under
/// a root node of its own, so they share one target.
/// </summary>
public abstract class KazooSuite(TargetFixture fixture)
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Kazoo");

    /// <summary>A script waits on conditions with deadlines of its own (20 s each); this bounds a script that hangs anyway.</summary>
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(2);

    public static TheoryData<string> Scripts() =>
        [.. Directory.GetFiles(Folder, "*.log").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task Script_prints_its_expected_log(string name)
    {
        await KazooInstall.EnsureAsync("CLIENT SUITE");
        await using var harness = new Harness(fixture.Target);
        var run = await ClientProcess.RunAsync(
            [KazooInstall.Python, "-u", Path.Combine(Folder, name + ".py")], harness.Environment, harness.ActAsync, ScriptTimeout);
        ExpectedLog.Matches(Path.Combine(Folder, name + ".log"), run, $"kazoo script {name}.py against {fixture.Target.Name}");
    }
}
