using System.Text.RegularExpressions;

namespace OrleansZk.Cli.Tests.Support;

/// <summary>
/// Makes a zkCli transcript and the shell's output comparable: it removes what only zkCli prints
/// (its JLine notice and the default watcher's <c>WATCHER::</c> events, whose place depends on
/// timing) and replaces what differs from run to run — the server address, times, and zxids and
/// session ids, which become numbered placeholders in order of first appearance, so that which
/// stats share a zxid or an owner is still compared.
/// </summary>
public static partial class TranscriptNormalizer
{
    // Java's Date.toString in UTC, e.g. "Thu Nov 26 03:34:04 UTC 2026".
    [GeneratedRegex(@"^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$")]
    private static partial Regex JavaDate();

    [GeneratedRegex(@"^(cZxid|mZxid|pZxid) = 0x([0-9a-f]+)$")]
    private static partial Regex ZxidLine();

    [GeneratedRegex(@"^ephemeralOwner = 0x([0-9a-f]+)$")]
    private static partial Regex OwnerLine();

    [GeneratedRegex(@"^([cm]time) = (.*)$")]
    private static partial Regex TimeLine();

    private const string Epoch = "Thu Jan 01 00:00:00 UTC 1970";

    public static string Normalize(string text)
    {
        var zxids = new Dictionary<string, int>();
        var sessions = new Dictionary<string, int>();
        var lines = new List<string>();
        foreach (var line in text.Replace("\r\n", "\n").Split('\n'))
        {
            if (line.StartsWith("JLine support is ", StringComparison.Ordinal)) continue;
            if (line == "WATCHER::" || line.StartsWith("WatchedEvent ", StringComparison.Ordinal))
            {
                // zkCli prints each of these after an empty line.
                if (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
                continue;
            }
            lines.Add(Rewrite(line, zxids, sessions));
        }
        return string.Join("\n", lines);
    }

    private static string Rewrite(string line, Dictionary<string, int> zxids, Dictionary<string, int> sessions)
    {
        if (line.StartsWith("Connecting to ", StringComparison.Ordinal)) return "Connecting to <server>";
        if (ZxidLine().Match(line) is { Success: true } zxid)
            return $"{zxid.Groups[1].Value} = {Placeholder("zxid", zxid.Groups[2].Value, zxids)}";
        if (OwnerLine().Match(line) is { Success: true } owner)
            return "ephemeralOwner = " + Placeholder("session", owner.Groups[1].Value, sessions);
        // A time that is not a Java date stays as it is, so the comparison shows it.
        if (TimeLine().Match(line) is { Success: true } time && time.Groups[2].Value != Epoch && JavaDate().IsMatch(time.Groups[2].Value))
            return time.Groups[1].Value + " = <time>";
        return line;
    }

    /// <summary>0 stays 0x0 (no zxid, no owner); any other value becomes &lt;kind N&gt;, N counting distinct values from 1.</summary>
    private static string Placeholder(string kind, string hex, Dictionary<string, int> seen)
    {
        if (hex == "0") return "0x0";
        if (!seen.TryGetValue(hex, out var n)) seen[hex] = n = seen.Count + 1;
        return $"<{kind} {n}>";
    }
}
