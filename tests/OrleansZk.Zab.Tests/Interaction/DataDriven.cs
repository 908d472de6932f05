using System.Runtime.CompilerServices;
using System.Text;

namespace OrleansZk.Zab.Tests.Interaction;

/// <summary>
/// A tiny port of cockroachdb/datadriven as etcd raft uses it: a file is a sequence of cases,
/// each a command line, a <c>----</c> line, and the expected output up to the next blank line.
/// Lines starting with <c>#</c> are comments. With the environment variable
/// <c>ZAB_REWRITE=1</c> the expected outputs are rewritten from the actual ones.
/// </summary>
public static class DataDriven
{
    public sealed record Case(int Line, string Command, string Expected);

    /// <summary>The source tree's testdata directory (so that a rewrite updates the checked-in files).</summary>
    public static string TestDataDir() => Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(ThisFile())!)!, "testdata");

    static string ThisFile([CallerFilePath] string here = "") => here;

    public static List<Case> Parse(string[] lines)
    {
        var cases = new List<Case>();
        for (int i = 0; i < lines.Length; i++)
        {
            string l = lines[i];
            if (l.Length == 0 || l.StartsWith('#')) continue;
            int start = i;
            if (i + 1 >= lines.Length || lines[i + 1] != "----") throw new FormatException($"line {i + 1}: expected ---- after '{l}'");
            i += 2;
            var expected = new StringBuilder();
            for (; i < lines.Length && lines[i].Length > 0; i++) expected.Append(lines[i]).Append('\n');
            cases.Add(new Case(start + 1, l, expected.ToString()));
        }
        return cases;
    }

    /// <summary>Runs every case of <paramref name="path"/> through <paramref name="handler"/>; returns mismatches (or rewrites).</summary>
    public static List<string> Run(string path, Func<string, string> handler)
    {
        var lines = File.ReadAllText(path).Replace("\r\n", "\n").TrimEnd('\n').Split('\n');
        var cases = Parse(lines);
        bool rewrite = Environment.GetEnvironmentVariable("ZAB_REWRITE") == "1";
        var failures = new List<string>();
        var actuals = new List<string>();
        foreach (var c in cases)
        {
            string actual = Normalize(handler(c.Command));
            actuals.Add(actual);
            if (!rewrite && actual != c.Expected)
                failures.Add($"{Path.GetFileName(path)}:{c.Line}: {c.Command}\n--- expected\n{c.Expected}--- actual\n{actual}");
        }
        if (rewrite) File.WriteAllText(path, Render(lines, cases, actuals));
        return failures;
    }

    static string Normalize(string s)
    {
        var lines = s.Replace("\r\n", "\n").TrimEnd('\n').Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();
        return lines.Count == 0 ? "ok\n" : string.Join('\n', lines) + "\n";
    }

    static string Render(string[] lines, List<Case> cases, List<string> actuals)
    {
        var sb = new StringBuilder();
        int ci = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            if (ci < cases.Count && cases[ci].Line == i + 1)
            {
                sb.Append(lines[i]).Append("\n----\n").Append(actuals[ci]);
                i += 2;
                while (i < lines.Length && lines[i].Length > 0) i++;
                if (i < lines.Length) sb.Append('\n');
                ci++;
                continue;
            }
            sb.Append(lines[i]).Append('\n');
        }
        return sb.ToString();
    }
}
