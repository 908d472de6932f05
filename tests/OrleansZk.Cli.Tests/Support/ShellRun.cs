using OrleansZk.Client;

namespace OrleansZk.Cli.Tests.Support;

/// <summary>What one run of the shell printed, and its exit code.</summary>
public sealed record ShellRun(string Stdout, string Stderr, int ExitCode)
{
    /// <summary>
    /// Runs the shell over <paramref name="script"/> as piped standard input (no prompts), or the
    /// command-line <paramref name="command"/> when given, opening sessions with <paramref name="connect"/>.
    /// </summary>
    public static async Task<ShellRun> RunAsync(
        Func<string, CancellationToken, Task<ZkClient>> connect, string script, IReadOnlyList<string>? command = null, bool interactive = false)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var options = new ShellOptions { Server = "127.0.0.1:30000", Command = command, Interactive = interactive };
        var shell = new Shell(options, connect, new StringReader(script), stdout, stderr);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var exitCode = await shell.RunAsync(timeout.Token);
        return new ShellRun(stdout.ToString(), stderr.ToString(), exitCode);
    }
}
