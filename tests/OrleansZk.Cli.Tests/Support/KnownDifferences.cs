using System.Text.RegularExpressions;

namespace OrleansZk.Cli.Tests.Support;

/// <summary>
/// Where the shell deliberately differs from the recorded zkCli, applied to zkCli's transcripts
/// before they are compared (README.md, section Shell, lists the differences and why).
/// </summary>
public static partial class KnownDifferences
{
    /// <summary>The commands the shell has, which its usage lists (zkCli's list also has quotas, reconfig, watches, ...).</summary>
    public static readonly IReadOnlySet<string> Commands = new HashSet<string>(StringComparer.Ordinal)
    {
        "addauth", "close", "connect", "create", "delete", "deleteall", "get", "getAcl",
        "getAllChildrenNumber", "ls", "quit", "set", "setAcl", "stat", "sync",
    };

    /// <summary>Transcripts that need the watch options, which come with the watches issue.</summary>
    public static readonly IReadOnlySet<string> NeedWatches = new HashSet<string>(StringComparer.Ordinal)
    {
        "17-watch-forms", "18-watch-oneshot", "19-watch-tree", "20-addwatch", "21-addwatch-bad-path", "22-removewatches", "23-printwatches",
    };

    [GeneratedRegex(@"\[-w\] ")]
    private static partial Regex WatchOption();

    /// <summary>zkCli's expected output, as the shell is meant to print it.</summary>
    public static string Apply(string zkCliText)
    {
        var lines = new List<string>();
        foreach (var line in zkCliText.Replace("\r\n", "\n").Split('\n'))
        {
            // Watches are not there yet: no -w in usage lines and in ls -?'s help (the deprecation
            // notices keep zkCli's wording, -w included).
            if (line == " -w   watch") continue;
            var text = line.Contains("deprecated", StringComparison.Ordinal) ? line : WatchOption().Replace(line, "");
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
