namespace OrleansZk.Cli.Parsing;

/// <summary>Java's <c>Integer.parseInt</c> and <c>Long.parseLong</c>: an optional sign, then decimal digits (any script's), in range.</summary>
internal static class JavaNumbers
{
    /// <summary>Integer.parseInt; null where Java throws NumberFormatException.</summary>
    public static int? ParseInt(string s) => Parse(s, int.MinValue, int.MaxValue) is { } v ? (int)v : null;

    /// <summary>Long.parseLong; null where Java throws NumberFormatException.</summary>
    public static long? ParseLong(string s) => Parse(s, long.MinValue, long.MaxValue);

    /// <summary>
    /// zkCli parses -v with an unguarded Integer.parseInt, so a bad version ends the shell; this
    /// raises that end (see <see cref="ShellCrashException"/>).
    /// </summary>
    public static int ParseIntOrCrash(string s) =>
        ParseInt(s) ?? throw new ShellCrashException($"java.lang.NumberFormatException: For input string: \"{s}\"");

    private static long? Parse(string s, long min, long max)
    {
        var negative = s.StartsWith('-');
        var start = negative || s.StartsWith('+') ? 1 : 0;
        if (start == s.Length) return null;
        // Accumulate negatively, as Java does, so the minimum value does not overflow.
        long limit = negative ? min : -max;
        long result = 0;
        for (var i = start; i < s.Length; i++)
        {
            if (!char.IsDigit(s[i])) return null;
            var digit = (long)char.GetNumericValue(s[i]);
            if (result < limit / 10) return null;
            result *= 10;
            if (result < limit + digit) return null;
            result -= digit;
        }
        return negative ? result : -result;
    }
}
