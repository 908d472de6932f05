using System.Globalization;
using System.Text;
using OrleansZk.Testing.Installs;
using OrleansZk.Wire.Fuzz;
using Xunit.Abstractions;

namespace OrleansZk.Wire.Tests;

/// <summary>
/// CI's coverage-guided fuzzing of the frame decoder and record parsers: AFL++ (Debian's afl++,
/// installed when missing) over the SharpFuzz-instrumented OrleansZk.Wire.dll, running the fuzz
/// target (tests/OrleansZk.Wire.Fuzz) for <see cref="Duration"/>, seeded with the byte streams
/// captured between the real ZooKeeper 3.8 Java client and server. Any crash (an exception other
/// than the typed protocol errors, or a frame that does not re-encode stably) or hang AFL saves
/// fails the test, which prints the input in hex and what it throws when run again in-process.
/// </summary>
public sealed class AflFuzzTests(ITestOutputHelper output)
{
    /// <summary>Seconds of fuzzing for a longer run than CI's (tests/OrleansZk.Wire.Fuzz/fuzz.sh sets it).</summary>
    public const string SecondsVariable = "ORLEANSZK_FUZZ_SECONDS";

    /// <summary>CI's afl-fuzz -V: with instrumenting and AFL's calibration, about 100 s in all (plus installing afl++ once).</summary>
    public const int CiSeconds = 90;

    /// <summary>How long AFL fuzzes: <see cref="SecondsVariable"/> when it is set, else <see cref="CiSeconds"/>.</summary>
    public static TimeSpan Duration =>
        TimeSpan.FromSeconds(Environment.GetEnvironmentVariable(SecondsVariable) is { Length: > 0 } text
            ? int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
                ? seconds
                : throw new ArgumentException($"{SecondsVariable}={text}: a whole number of seconds above 0")
            : CiSeconds);

    /// <summary>Longest input printed whole; AFL's inputs from these seeds stay far below it.</summary>
    private const int PrintedBytes = 16 * 1024;

    /// <summary>
    /// The captured connections, both directions (the target runs every reply parser on each frame
    /// too): each whole, and each frame after the first behind that connection's first frame (the
    /// connect request or response). AFL mutates small inputs far more to the point than whole
    /// connections: a byte it changes lands in the one record under test.
    /// </summary>
    public static IEnumerable<(string Name, byte[] Bytes)> Seeds()
    {
        var seen = new HashSet<string>();
        foreach (var stream in CaptureTests.Frames().GroupBy(f => (f.Connection, f.ToServer)))
        {
            var name = $"connection-{stream.Key.Connection}-{(stream.Key.ToServer ? "requests" : "replies")}";
            var frames = stream.Select(f => f.Frame).ToList();
            var first = frames[0];
            IEnumerable<(string, byte[])> seeds = [(name, [.. frames.SelectMany(f => f)]), .. frames.Skip(1).Select((f, i) => ($"{name}-{i + 1}", (byte[])[.. first, .. f]))];
            foreach (var (seedName, bytes) in seeds)
                if (seen.Add(Convert.ToHexString(bytes))) yield return (seedName, bytes);
        }
    }

    [Fact]
    public async Task Afl_saves_no_crash_or_hang_of_the_frame_decoder_in_its_time()
    {
        await AflInstall.EnsureAsync("AFL FUZZ TEST (OrleansZk.Wire.Tests AflFuzzTests)");
        using var run = await AflRun.PrepareAsync(Seeds());
        var result = await run.FuzzAsync(Duration);
        output.WriteLine(result.Summary);

        Assert.True(result.Findings.Count == 0, Describe(result, run.WorkDirectory));
        Assert.True(result.ExitCode == 0, $"afl-fuzz failed ({result.Summary}):\n{Tail(result.Log)}");
        // A run that barely executed, or whose coverage feedback does not work, proves nothing.
        Assert.True(result.Stat("execs_done") >= 1000, $"afl-fuzz ran too few inputs ({result.Summary}):\n{Tail(result.Log)}");
        Assert.True(result.Stat("corpus_found") >= 1, $"afl-fuzz found no new path: is the instrumentation there? ({result.Summary})\n{Tail(result.Log)}");
    }

    private static string Describe(AflResult result, string directory)
    {
        var text = new StringBuilder($"AFL saved {result.Findings.Count} input(s) ({result.Summary}); kept in {directory}/findings.\n");
        foreach (var finding in result.Findings)
        {
            text.Append($"\n{finding.Kind} {Path.GetFileName(finding.File)}, {finding.Input.Length} bytes:\n");
            text.Append(finding.Input.Length <= PrintedBytes
                ? Convert.ToHexString(finding.Input)
                : Convert.ToHexString(finding.Input, 0, PrintedBytes) + "… (cut; whole in the file)");
            if (finding.Kind == "crash") text.Append("\nrun again in-process: ").Append(RunAgain(finding.Input));
        }
        text.Append("\n\nReproduce: echo HEX | xxd -r -p | dotnet tests/OrleansZk.Wire.Fuzz/bin/Release/net10.0/OrleansZk.Wire.Fuzz.dll\n");
        return text.ToString();
    }

    /// <summary>The target on <paramref name="input"/> outside AFL (a hang is not run again: it would hang here too).</summary>
    private static string RunAgain(byte[] input)
    {
        try
        {
            FrameFuzzTarget.Run(input);
            return "no exception (a crash AFL saw that this process does not: the process died, or ran out of stack)";
        }
        catch (Exception e)
        {
            return e.ToString();
        }
    }

    private static string Tail(string log)
    {
        var lines = log.Split('\n');
        return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - 30)));
    }
}
