using System.Globalization;

namespace OrleansZk.Conformance.Tests.Differential;

/// <summary>
/// Which seeds the differential test runs, and how long each run is: a fixed set in CI, or what
/// the environment asks for (docs/conformance.md): ORLEANSZK_DIFF_SEEDS, a comma-separated list of
/// seeds and ranges ("7", "1-200", "3,9,100-120"), and ORLEANSZK_DIFF_COMMANDS, the commands per
/// run after its first two; ORLEANSZK_DIFF_TRANSCRIPTS, a directory where each run leaves its
/// commands with ZooKeeper's answers (seedN.txt).
/// </summary>
internal static class DifferentialSeeds
{
    public const string Variable = "ORLEANSZK_DIFF_SEEDS";
    public const string CommandsVariable = "ORLEANSZK_DIFF_COMMANDS";
    public const string TranscriptsVariable = "ORLEANSZK_DIFF_TRANSCRIPTS";

    /// <summary>The seeds CI runs.</summary>
    public static readonly int[] Fixed = [1, 2, 3, 4, 5, 6];

    public const int DefaultCommands = 150;

    public static IReadOnlyList<int> Seeds => Parse(Environment.GetEnvironmentVariable(Variable)) ?? Fixed;

    public static int Commands =>
        int.TryParse(Environment.GetEnvironmentVariable(CommandsVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : DefaultCommands;

    /// <summary>The seeds a value lists, or null when it is unset or empty; throws on anything else.</summary>
    public static IReadOnlyList<int>? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var seeds = new List<int>();
        foreach (var item in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = item.IndexOf('-', 1);
            if (dash < 0)
            {
                seeds.Add(Number(item));
                continue;
            }
            int from = Number(item[..dash]), to = Number(item[(dash + 1)..]);
            if (to < from) throw new FormatException($"{Variable}: the range {item} is empty");
            for (var s = from; s <= to; s++) seeds.Add(s);
        }
        return seeds;
    }

    private static int Number(string text) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new FormatException($"{Variable}: \"{text}\" is not a seed (a whole number or a range a-b)");
}
