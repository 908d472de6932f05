using OrleansZk.Testing.Installs;
using Xunit.Abstractions;

namespace OrleansZk.Wire.Tests;

/// <summary>
/// Unmodified ZooKeeper clients against the client port: Debian's ZooKeeper 3.8 Java client and
/// python3-kazoo run their scenarios (Clients/), each step checking what ZooKeeper documents; every
/// step must pass. The Java client's reconnect goes to the other silo.
/// </summary>
[Collection(WireCollection.Name)]
public sealed class RealClientTests(WireCluster cluster, ITestOutputHelper output)
{
    private static readonly string Clients = Path.Combine(AppContext.BaseDirectory, "Clients");

    [Fact]
    public async Task Java_client_scenario_passes_every_step()
    {
        await ZooKeeperInstall.EnsureAsync("WIRE TESTS");
        var build = Directory.CreateTempSubdirectory("orleanszk-wire-java-").FullName;
        try
        {
            var (code, compiled) = await Command.RunAsync(
                ["javac", "-nowarn", "-d", build, "-cp", ZooKeeperInstall.ClassPath, Path.Combine(Clients, "JavaClientScenario.java")], TimeSpan.FromMinutes(2));
            Assert.True(code == 0, "javac failed:\n" + compiled);
            var (exit, text) = await Command.RunAsync(
                ["java", "-Xmx256m", "-XX:+UseSerialGC", "-cp", build + ":" + ZooKeeperInstall.ClassPath, "JavaClientScenario", cluster.Target, cluster.SecondTarget], TimeSpan.FromMinutes(3));
            var steps = Steps(text);
            output.WriteLine(string.Join('\n', steps));
            Assert.True(exit == 0 && steps.Contains("ALL OK"), "the Java client scenario failed:\n" + text);
            Assert.True(steps.Count(s => s.StartsWith("OK ", StringComparison.Ordinal)) >= 25, "fewer steps ran than the scenario has:\n" + text);
        }
        finally
        {
            Directory.Delete(build, recursive: true);
        }
    }

    [Fact]
    public async Task Kazoo_scenario_passes_every_step()
    {
        await KazooInstall.EnsureAsync("WIRE TESTS");
        var (exit, text) = await Command.RunAsync(
            [KazooInstall.Python, Path.Combine(Clients, "kazoo_scenario.py"), cluster.Target], TimeSpan.FromMinutes(3));
        var steps = Steps(text);
        output.WriteLine(string.Join('\n', steps));
        Assert.True(exit == 0 && steps.Contains("ALL OK"), "the kazoo scenario failed:\n" + text);
        Assert.True(steps.Count(s => s.StartsWith("OK ", StringComparison.Ordinal)) >= 7, "fewer steps ran than the scenario has:\n" + text);
    }

    private static List<string> Steps(string text) =>
        [.. text.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("OK ", StringComparison.Ordinal) || l.StartsWith("FAIL ", StringComparison.Ordinal) || l.EndsWith("OK", StringComparison.Ordinal) || l.EndsWith("FAILED", StringComparison.Ordinal))];
}
