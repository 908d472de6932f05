using System.Diagnostics;
using System.Text;

namespace OrleansZk.Testing.Installs;

/// <summary>Runs external commands for the test suites (installers, compilers, client programs).</summary>
public static class Command
{
    /// <summary>
    /// Runs <paramref name="command"/> to completion with an empty standard input; returns its exit
    /// code and its stdout followed by its stderr. Kills the process tree after <paramref name="timeout"/>
    /// and throws <see cref="TimeoutException"/>.
    /// </summary>
    public static Task<(int ExitCode, string Output)> RunAsync(string[] command, TimeSpan timeout, params (string Name, string Value)[] environment) =>
        RunInAsync(null, command, timeout, environment);

    /// <summary>As <see cref="RunAsync"/>, in <paramref name="directory"/> (this process's current directory when null).</summary>
    public static async Task<(int ExitCode, string Output)> RunInAsync(string? directory, string[] command, TimeSpan timeout, params (string Name, string Value)[] environment)
    {
        var info = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, WorkingDirectory = directory ?? "",
        };
        foreach (var arg in command.Skip(1)) info.ArgumentList.Add(arg);
        foreach (var (name, value) in environment) info.Environment[name] = value;
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + command[0]);
        process.StandardInput.Close();
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{string.Join(' ', command)}` did not finish within {timeout}");
        }
        output.Append(await stdout).Append(await stderr);
        return (process.ExitCode, output.ToString());
    }

    /// <summary>The full path of executable <paramref name="name"/> on PATH, or null.</summary>
    public static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
