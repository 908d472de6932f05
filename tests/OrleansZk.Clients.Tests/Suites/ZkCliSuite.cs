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

        var printed = Compared.Of(run);
        // Where zkCli's own threads race (a refused addauth), either outcome is ZooKeeper's.
        if (transcript.Race is { } race && Compared.Of(race) == printed) return;
        var expected = Compared.Of(transcript.Recorded);
        var against = transcript.Race is null ? fixture.Target.Name : $"{fixture.Target.Name} (nor its race outcome)";
        TextAssert.SameLines(expected.Output, printed.Output, $"{name} stdout (without events) against {against}");
        TextAssert.SameLines(expected.Events, printed.Events, $"{name} events against {against}");
        TextAssert.SameLines(expected.Stderr, printed.Stderr, $"{name} stderr against {against}");
        Assert.Equal(expected.ExitCode, printed.ExitCode);
    }

    /// <summary>What is compared of one run: output and events apart, normalized.</summary>
    private sealed record Compared(string Output, string Events, string Stderr, int ExitCode)
    {
        public static Compared Of(Transcript.Outcome run)
        {
            var apart = TranscriptNormalizer.NormalizeEventsApart(run.Stdout);
            return new Compared(apart.Output, apart.Events, TranscriptNormalizer.Normalize(run.Stderr), run.ExitCode);
        }
    }
}
