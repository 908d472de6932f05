using System.Text.RegularExpressions;

namespace OrleansZk.Cli.Parsing;

/// <summary>
/// Splits a shell line into words exactly as zkCli's <c>MyCommandOptions.parseCommand</c> does: a
/// word is a run of non-blanks, or a "double-" or 'single-quoted' string whose quotes are dropped.
/// There is no escaping, a quote inside a word is kept (<c>a"b"c</c>), and an unmatched quote is
/// skipped.
/// </summary>
internal static partial class LineTokenizer
{
    // zkCli's ARGS_PATTERN, with Java's \s and \S spelled out: .NET's also match Unicode blanks.
    [GeneratedRegex("""[ \t\n\x0B\f\r]*([^"'][^ \t\n\x0B\f\r]*|"[^"]*"|'[^']*')[ \t\n\x0B\f\r]*""")]
    private static partial Regex Word();

    // zkCli's QUOTED_PATTERN; Java's '.' stops at its line terminators, not just \n.
    [GeneratedRegex("""^(['"])([^\n\r\u0085\u2028\u2029]*)\1$""")]
    private static partial Regex Quoted();

    public static List<string> Split(string line)
    {
        var words = new List<string>();
        foreach (Match m in Word().Matches(line))
        {
            var word = m.Groups[1].Value;
            words.Add(Quoted().IsMatch(word) ? word[1..^1] : word);
        }
        return words;
    }
}
