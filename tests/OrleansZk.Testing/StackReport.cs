using OrleansZk.Testing.Installs;

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
                var (installExit, installOutput) = await Command.RunAsync(["dotnet", "tool", "install", "--global", "dotnet-stack"], InstallLimit);
                if (installExit != 0 || !File.Exists(tool)) return $"(no stacks: dotnet-stack could not be installed: {installOutput.Trim()})";
            }
            var (exit, output) = await Command.RunAsync([tool, "report", "--process-id", pid.ToString()], ReportLimit);
            if (exit != 0) return $"(no stacks: dotnet-stack failed: {output.Trim()})";
            return output.Length <= maxChars ? output : output[..maxChars] + $"\n(… {output.Length - maxChars} more characters)";
        }
        catch (Exception e)
        {
            return $"(no stacks: {e.Message})";
        }
    }
}
