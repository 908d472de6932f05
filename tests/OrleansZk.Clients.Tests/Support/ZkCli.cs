using OrleansZk.Testing.Installs;
using OrleansZk.Testing.Transcripts;

namespace OrleansZk.Clients.Tests.Support;

/// <summary>Runs ZooKeeper's shell, zkCli.sh, as the transcripts were recorded (tests/OrleansZk.Cli.Tests/Transcripts/recorder/record.sh).</summary>
public static class ZkCli
{
    /// <summary>
    /// Runs <c>zkCli.sh -server SERVER -waitforconnection [COMMAND...]</c> with <paramref name="script"/>
    /// on standard input, under a UTF-8 locale (under the POSIX one Java reads and prints non-ASCII
    /// as '?'). SLF4J's "no binding" notice, which comes from Debian's logging set-up and not from
    /// zkCli, is dropped from standard error, as the recorder dropped it.
    /// </summary>
    public static async Task<Transcript.Outcome> RunAsync(string server, string script, IReadOnlyList<string>? command, CancellationToken ct)
    {
        await ZooKeeperInstall.EnsureAsync("CLIENT SUITE");
        using var process = ClientProcess.Start(
            [ZooKeeperInstall.ZkCli, "-server", server, "-waitforconnection", .. command ?? []],
            new Dictionary<string, string> { ["LC_ALL"] = "C.UTF-8" });
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.StandardInput.WriteAsync(script);
        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"zkCli did not finish in time; its output so far:\n{await stdout}");
        }
        var errors = (await stderr).Split('\n').Where(line => !line.StartsWith("SLF4J: ", StringComparison.Ordinal));
        return new Transcript.Outcome(await stdout, string.Join('\n', errors), process.ExitCode);
    }
}
