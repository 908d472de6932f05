using OrleansZk.Testing.Transcripts;

namespace OrleansZk.Clients.Tests.Support;

/// <summary>
/// A client program's expected log (NAME.log beside the program, in the test's output folder):
/// the exact lines the program prints when the target answers as Apache ZooKeeper 3.8 does.
/// </summary>
public static class ExpectedLog
{
    /// <summary>
    /// Fails unless the run exited with 0 and printed exactly <paramref name="expectedFile"/>'s lines.
    /// A failing run's log is kept in actual/ of the output folder (to inspect, or to copy over the
    /// expected log once the difference is understood and checked against ZooKeeper).
    /// </summary>
    public static void Matches(string expectedFile, ClientProcess.Result run, string what)
    {
        var actual = string.Join('\n', run.Log);
        var expected = File.ReadAllText(expectedFile).ReplaceLineEndings("\n").TrimEnd('\n');
        if (run.ExitCode == 0 && actual == expected) return;
        var keep = Path.Combine(AppContext.BaseDirectory, "actual", Path.GetFileName(Path.GetDirectoryName(expectedFile)!), Path.GetFileName(expectedFile));
        Directory.CreateDirectory(Path.GetDirectoryName(keep)!);
        File.WriteAllText(keep, actual + "\n");
        var ending = $"{what}: exit code {run.ExitCode}; its log is in {keep}; stderr:\n{Tail(run.Stderr)}";
        if (actual != expected) TextAssert.SameLines(expected, actual, $"{what}'s log (then {ending})");
        Assert.Fail(ending);
    }

    private static string Tail(string text) => text.Length <= 6000 ? text : "…" + text[^6000..];
}
