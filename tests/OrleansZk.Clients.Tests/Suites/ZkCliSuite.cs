using OrleansZk.Clients.Tests.Support;
using OrleansZk.Clients.Tests.Targets;
using OrleansZk.Testing.Installs;
using OrleansZk.Testing.Transcripts;

namespace OrleansZk.Clients.Tests.Suites;

/// <summary>
/// ZooKeeper's own shell against the target: every script of tests/OrleansZk.Cli.Tests/Transcripts
/// is fed to the real zkCli.sh (Debian's, unmodified) as it was when the transcripts were
/// recorded, and zkCli must print what it printed then against a fresh Apache ZooKeeper 3.8 (after
/// <see cref="TranscriptNormalizer"/>: times, zxids, session ids and the server's address become
/// placeholders) and exit with the same code. The commands' output and the watch events are
/// compared apart, each in its order: zkCli prints events from a thread of its own, and where they
/// land among the output is that thread's timing, not the server's (the OrleansZk shell's own
/// tests compare its events in place). The target is reset before each script (the transcripts
/// show the root's stat and number zxids from the first).
/// </summary>
public abstract class ZkCliSuite(TargetFixture fixture)
{
    /// <summary>The address the transcripts were recorded against; a script's "connect" names it.</summary>
    private const string RecordedServer = "127.0.0.1:2191";

    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    public static TheoryData<string> Transcripts() => [.. Transcript.Names()];

    [Theory]
    [MemberData(nameof(Transcripts))]
    public async Task ZkCli_prints_the_recorded_transcript(string name)
    {
        var transcript = Transcript.Load(name);
        using var deadline = new CancellationTokenSource(RunTimeout);
        await fixture.Target.ResetAsync(deadline.Token);
        var server = string.Join(',', fixture.Target.Servers);
        var run = await ZkCli.RunAsync(server, transcript.Script.Replace(RecordedServer, server, StringComparison.Ordinal), transcript.CommandLine, deadline.Token);

        var recorded = TranscriptNormalizer.NormalizeEventsApart(transcript.Stdout);
        var printed = TranscriptNormalizer.NormalizeEventsApart(run.Stdout);
        TextAssert.SameLines(recorded.Output, printed.Output, $"{name} stdout (without events) against {fixture.Target.Name}");
        TextAssert.SameLines(recorded.Events, printed.Events, $"{name} events against {fixture.Target.Name}");
        TextAssert.SameLines(TranscriptNormalizer.Normalize(transcript.Stderr), TranscriptNormalizer.Normalize(run.Stderr), $"{name} stderr against {fixture.Target.Name}");
        Assert.Equal(transcript.ExitCode, run.ExitCode);
    }
}
