using System.Text.RegularExpressions;

namespace OrleansZk.Testing.Transcripts;

/// <summary>
/// Makes a recorded zkCli transcript and a new run comparable (the OrleansZk shell's output, or
/// zkCli's own against another server): it removes what only zkCli prints
/// (its JLine notice and the connection-state events, <c>WatchedEvent state:... type:None</c>,
/// whose place depends on timing), puts the removal events of one <c>removewatches</c> in one
/// order (zkCli's changes from run to run), and replaces what differs from run to run — the server
/// address, times, and zxids and session ids, which become numbered placeholders in order of
/// first appearance, so that which stats share a zxid or an owner is still compared.
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
        var input = text.Replace("\r\n", "\n").Split('\n');
        for (var i = 0; i < input.Length;)
        {
            if (EventAt(input, i) is { } first)
            {
                i += EventLines;
                if (first.Contains(" type:None ", StringComparison.Ordinal)) continue;
                var events = new List<string> { first };
                // zkCli reports the kinds one removewatches removed in HashMap order, which changes
                // between JVMs: such a run is compared sorted.
                while (IsRemoval(first) && EventAt(input, i) is { } next && IsRemoval(next))
                {
                    events.Add(next);
                    i += EventLines;
                }
                if (events.Count > 1) events.Sort(StringComparer.Ordinal);
                foreach (var e in events) lines.AddRange(["", "WATCHER::", "", e]);
                continue;
            }
            var line = input[i++];
            if (line.StartsWith("JLine support is ", StringComparison.Ordinal)) continue;
            lines.Add(Rewrite(line, zxids, sessions));
        }
        return string.Join("\n", lines);
    }

    /// <summary>
    /// zkCli's output <see cref="Normalize"/>d without its node events, and those events in order,
    /// one per line. For zkCli itself against a server: its event thread prints each event with two
    /// calls (<c>"\nWATCHER::"</c>, then <c>"\nWatchedEvent ..."</c>) while its main thread goes on,
    /// so where an event lands among the commands' output — even between its own two lines — is
    /// thread timing on a busy machine, but the events' order among themselves is the server's
    /// (one event thread). Connection-state events are dropped, and each run of removal events is
    /// sorted, as <see cref="Normalize"/> does.
    /// </summary>
    public static (string Output, string Events) NormalizeEventsApart(string text)
    {
        var input = text.Replace("\r\n", "\n").Split('\n');
        var output = new List<string>();
        var events = new List<string>();
        for (var i = 0; i < input.Length; i++)
        {
            if (input[i].Length == 0 && i + 1 < input.Length && (input[i + 1] == "WATCHER::" || input[i + 1].StartsWith("WatchedEvent ", StringComparison.Ordinal)))
            {
                if (input[i + 1].StartsWith("WatchedEvent ", StringComparison.Ordinal) && !input[i + 1].Contains(" type:None ", StringComparison.Ordinal))
                    events.Add(input[i + 1]);
                i++;
                continue;
            }
            output.Add(input[i]);
        }
        for (var start = 0; start < events.Count;)
        {
            var end = start;
            while (end < events.Count && IsRemoval(events[end])) end++;
            if (end - start > 1) events.Sort(start, end - start, StringComparer.Ordinal);
            start = Math.Max(end, start + 1);
        }
        return (Normalize(string.Join("\n", output)), string.Join("\n", events));
    }

    /// <summary>How zkCli prints an event: an empty line, "WATCHER::", an empty line, the event.</summary>
    private const int EventLines = 4;

    /// <summary>The event line of the event printed from line <paramref name="i"/> on, or null.</summary>
    private static string? EventAt(string[] lines, int i) =>
        i + EventLines <= lines.Length && lines[i].Length == 0 && lines[i + 1] == "WATCHER::" && lines[i + 2].Length == 0
        && lines[i + 3].StartsWith("WatchedEvent ", StringComparison.Ordinal)
            ? lines[i + 3]
            : null;

    private static bool IsRemoval(string eventLine) => eventLine.Contains("WatchRemoved path:", StringComparison.Ordinal);

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
