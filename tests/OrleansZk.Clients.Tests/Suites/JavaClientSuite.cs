using OrleansZk.Clients.Tests.Support;
using OrleansZk.Clients.Tests.Targets;
using OrleansZk.Testing.Installs;

namespace OrleansZk.Clients.Tests.Suites;

/// <summary>
/// ZooKeeper's own Java client (Debian's zookeeper.jar, unmodified) against the target, for what
/// kazoo 2.8 cannot send: container and TTL nodes, create2's stat, multiRead,
/// getAllChildrenNumber, getEphemerals, whoAmI, addWatch (persistent and persistent recursive
/// watches), removeWatches / checkWatches, and setWatches / setWatches2 when a session resumes on a
/// new connection. Java/ClientSuite.java is compiled once per test run; each section (one per
/// Java/SECTION.log) runs in a JVM of its own and must print exactly its log.
/// </summary>
public abstract class JavaClientSuite(TargetFixture fixture)
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Java");
    private static readonly TimeSpan SectionTimeout = TimeSpan.FromMinutes(2);
    private static readonly Lazy<Task<string>> Build = new(CompileAsync);

    public static TheoryData<string> Sections() =>
        [.. Directory.GetFiles(Folder, "*.log").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Sections))]
    public async Task Section_prints_its_expected_log(string section)
    {
        var classes = await Build.Value;
        await using var harness = new Harness(fixture.Target);
        var run = await ClientProcess.RunAsync(
            ["java", "-Xmx256m", "-XX:+UseSerialGC", "-Dfile.encoding=UTF-8", "-cp", classes + ":" + ZooKeeperInstall.ClassPath, "ClientSuite", section],
            harness.Environment, harness.ActAsync, SectionTimeout);
        ExpectedLog.Matches(Path.Combine(Folder, section + ".log"), run, $"Java client section {section} against {fixture.Target.Name}");
    }

    /// <summary>Compiles Java/*.java against zookeeper.jar into a folder of the test output; returns that folder.</summary>
    private static async Task<string> CompileAsync()
    {
        await ZooKeeperInstall.EnsureAsync("CLIENT SUITE");
        var classes = Path.Combine(AppContext.BaseDirectory, "java-classes");
        if (Directory.Exists(classes)) Directory.Delete(classes, recursive: true);
        Directory.CreateDirectory(classes);
        var (code, output) = await Command.RunAsync(
            ["javac", "-nowarn", "-encoding", "UTF-8", "-d", classes, "-cp", ZooKeeperInstall.ClassPath, .. Directory.GetFiles(Folder, "*.java")],
            TimeSpan.FromMinutes(2));
        if (code != 0) throw new InvalidOperationException("javac failed on the Java client suite:\n" + output);
        return classes;
    }
}
