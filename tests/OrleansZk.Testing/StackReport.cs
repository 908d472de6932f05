using System.Diagnostics;

namespace OrleansZk.Testing;

/// <summary>
/// The managed stacks of every thread of a live .NET process, for the message of a test that gave
/// up waiting on it (a silo that never became ready): the one look inside a hang that happens once
/// in many runs. Uses <c>dotnet-stack</c>, installed as a global tool from the package feed the
/// first time it is needed; says why when it cannot.
/// </summary>
public static class StackReport
{
    private static readonly TimeSpan InstallLimit = TimeSpan.FromSeconds(120), ReportLimit = TimeSpan.FromSeconds(60);

    /// <summary>The process's stacks (at most <paramref name="maxChars"/> characters), or a line saying why there are none.</summary>
    public static async Task<string> OfAsync(int pid, int maxChars = 40_000)
    {
        try
        {
            var tool = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-stack");
            if (!File.Exists(tool))
            {
                var (installed, installOutput) = await RunAsync("dotnet", ["tool", "install", "--global", "dotnet-stack"], InstallLimit);
                if (!installed || !File.Exists(tool)) return $"(no stacks: dotnet-stack could not be installed: {installOutput.Trim()})";
            }
            var (ok, output) = await RunAsync(tool, ["report", "--process-id", pid.ToString()], ReportLimit);
            if (!ok) return $"(no stacks: dotnet-stack failed: {output.Trim()})";
            return output.Length <= maxChars ? output : output[..maxChars] + $"\n(… {output.Length - maxChars} more characters)";
        }
        catch (Exception e)
        {
            return $"(no stacks: {e.Message})";
        }
    }

    private static async Task<(bool Ok, string Output)> RunAsync(string file, string[] args, TimeSpan limit)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (false, $"{file} did not finish within {limit}");
        }
        return (process.ExitCode == 0, await stdout + await stderr);
    }
}
