namespace OrleansZk.Cli.Tests.Support;

/// <summary>
/// Where the shell deliberately differs from the recorded zkCli, applied to zkCli's transcripts
/// before they are compared (README.md, section Shell, lists the differences and why).
/// </summary>
public static class KnownDifferences
{
    /// <summary>The commands the shell has, which its usage lists (zkCli's list also has quotas, reconfig, history, ...).</summary>
    public static readonly IReadOnlySet<string> Commands = new HashSet<string>(StringComparer.Ordinal)
    {
        "addWatch", "addauth", "close", "connect", "create", "delete", "deleteall", "get", "getAcl",
        "getAllChildrenNumber", "ls", "printwatches", "quit", "removewatches", "set", "setAcl", "stat", "sync",
    };

    /// <summary>zkCli's expected output, as the shell is meant to print it.</summary>
    public static string Apply(string zkCliText)
    {
        var lines = new List<string>();
        foreach (var text in zkCliText.Replace("\r\n", "\n").Split('\n'))
        {
            // A crash is reported by its first line, without Java's stack trace.
            if (text.StartsWith("\tat ", StringComparison.Ordinal)) continue;
            // The usage lists the shell's commands only.
            if (text.StartsWith('\t') && !Commands.Contains(text[1..].Split(' ')[0])) continue;
            // "help" is a command here; in zkCli it is an unknown word that happens to print the usage.
            if (text == "Command not found: Command not found help") continue;
            lines.Add(text);
        }
        return string.Join("\n", lines);
    }
}
