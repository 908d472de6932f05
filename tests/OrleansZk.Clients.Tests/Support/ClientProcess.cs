using System.Diagnostics;
using System.Text;

namespace OrleansZk.Clients.Tests.Support;

/// <summary>
/// Runs one client program of the suite (a kazoo script, a section of the Java client suite).
/// The program prints its log on standard output, one deterministic line per result; a line
/// <c>@@ ACTION</c> instead asks the harness to act (cut the connection, restart the target, ...,
/// see <see cref="Harness"/>), and the program waits for the harness's answer on standard input:
/// <c>ok</c> once the action is done, or <c>failed: WHY</c>.
/// </summary>
public static class ClientProcess
{
    /// <summary>What a run printed (without the action requests) and how it ended.</summary>
    public sealed record Result(IReadOnlyList<string> Log, string Stderr, int ExitCode);

    /// <summary>Starts <paramref name="command"/> with <paramref name="environment"/>, its three standard streams redirected, in UTF-8.</summary>
    public static Process Start(IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(command[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in command.Skip(1)) info.ArgumentList.Add(arg);
        foreach (var (name, value) in environment) info.Environment[name] = value;
        return Process.Start(info) ?? throw new InvalidOperationException("could not start " + command[0]);
    }

    /// <summary>
    /// Runs <paramref name="command"/> with <paramref name="environment"/> until it exits, doing each
    /// action it asks for with <paramref name="act"/>. Kills it (and fails) after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<Result> RunAsync(
        IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment, Func<string, CancellationToken, Task> act, TimeSpan timeout)
    {
        using var process = Start(command, environment);
        var stderr = process.StandardError.ReadToEndAsync();
        var log = new List<string>();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
            {
                if (!line.StartsWith("@@ ", StringComparison.Ordinal))
                {
                    log.Add(line);
                    continue;
                }
                string answer;
                try
                {
                    await act(line[3..], deadline.Token);
                    answer = "ok";
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    answer = "failed: " + e.Message.ReplaceLineEndings(" ");
                }
                await process.StandardInput.WriteLineAsync(answer);
                await process.StandardInput.FlushAsync(deadline.Token);
            }
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            Assert.Fail($"`{string.Join(' ', command)}` did not finish within {timeout}; its log so far:\n{string.Join('\n', log)}\nstderr:\n{await stderr}");
        }
        return new Result(log, await stderr, process.ExitCode);
    }
}
