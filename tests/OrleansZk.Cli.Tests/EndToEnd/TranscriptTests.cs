using OrleansZk.Cli.Tests.Support;

namespace OrleansZk.Cli.Tests.EndToEnd;

/// <summary>
/// Every recorded zkCli script, run through the shell against an OrleansZk service, must print
/// what ZooKeeper 3.8's zkCli printed (after <see cref="KnownDifferences"/> and
/// <see cref="TranscriptNormalizer"/>) and exit with the same code. Each script gets a service of
/// its own (a fresh single-silo cluster, a fraction of a second): the recordings started from a
/// fresh ZooKeeper, and the scripts show the root's stat and count every zxid from the first.
/// </summary>
public sealed class TranscriptTests
{
    public static TheoryData<string> Scenarios() => [.. Transcript.Names()];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Shell_prints_what_zkCli_printed(string name)
    {
        var transcript = Transcript.Load(name);
        await using var service = await ServiceCluster.StartAsync();

        // Every "connect" goes to the same service, whatever address the script names.
        var run = await ShellRun.RunAsync((_, ct) => service.ConnectAsync(ct), transcript.Script, transcript.CommandLine);

        TextAssert.SameLines(Expected(transcript.Stdout), TranscriptNormalizer.Normalize(run.Stdout), name + " stdout");
        TextAssert.SameLines(Expected(transcript.Stderr), TranscriptNormalizer.Normalize(run.Stderr), name + " stderr");
        Assert.Equal(transcript.ExitCode, run.ExitCode);
    }

    private static string Expected(string zkCliText) => TranscriptNormalizer.Normalize(KnownDifferences.Apply(zkCliText));
}
