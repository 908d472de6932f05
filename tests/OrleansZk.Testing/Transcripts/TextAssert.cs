using Xunit;

namespace OrleansZk.Testing.Transcripts;

public static class TextAssert
{
    /// <summary>Equal texts, or a failure naming the first differing line with the lines around it.</summary>
    public static void SameLines(string expected, string actual, string what)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        var i = 0;
        while (i < e.Length && i < a.Length && e[i] == a[i]) i++;
        if (i == e.Length && i == a.Length) return;
        var from = Math.Max(0, i - 3);
        Assert.Fail(
            $"{what} differs at line {i + 1}.\n" +
            $"expected:\n{Excerpt(e, from, i)}\nactual:\n{Excerpt(a, from, i)}");
    }

    private static string Excerpt(string[] lines, int from, int mark) =>
        string.Join("\n", lines.Skip(from).Take(mark - from + 4).Select((l, k) => (from + k == mark ? "> " : "  ") + l.Replace("\t", "\\t")));
}
