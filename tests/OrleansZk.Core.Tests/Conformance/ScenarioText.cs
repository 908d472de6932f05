using System.Text;

namespace OrleansZk.Core.Tests.Conformance;

/// <summary>Tokenizing scenario lines and rendering answers, exactly as docs/conformance.md specifies.</summary>
internal static class ScenarioText
{
    /// <summary>Splits on spaces; a double-quoted token takes \" \\ and \uXXXX escapes. Returns (text, wasQuoted).</summary>
    public static List<(string Text, bool Quoted)> Tokenize(string line)
    {
        var tokens = new List<(string, bool)>();
        var i = 0;
        while (i < line.Length)
        {
            if (line[i] == ' ') { i++; continue; }
            if (line[i] == '"')
            {
                var sb = new StringBuilder();
                i++;
                while (i < line.Length && line[i] != '"')
                {
                    if (line[i] == '\\' && i + 1 < line.Length)
                    {
                        var e = line[i + 1];
                        if (e == 'u')
                        {
                            sb.Append((char)Convert.ToInt32(line.Substring(i + 2, 4), 16));
                            i += 6;
                            continue;
                        }
                        sb.Append(e);
                        i += 2;
                        continue;
                    }
                    sb.Append(line[i++]);
                }
                if (i >= line.Length) throw new FormatException("unterminated quote in: " + line);
                i++;
                tokens.Add((sb.ToString(), true));
                continue;
            }
            var start = i;
            while (i < line.Length && line[i] != ' ') i++;
            tokens.Add((line[start..i], false));
        }
        return tokens;
    }

    public static byte[]? ParseData((string Text, bool Quoted) token)
    {
        if (!token.Quoted && token.Text == "null") return null;
        if (!token.Quoted && token.Text.StartsWith("x*", StringComparison.Ordinal))
            return Enumerable.Repeat((byte)'x', int.Parse(token.Text[2..])).ToArray();
        return Encoding.UTF8.GetBytes(token.Text);
    }

    public static string Escape(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            if (c == '"' || c == '\\') sb.Append('\\').Append(c);
            else if (c < 0x20 || c > 0x7e) sb.Append("\\u").Append(((int)c).ToString("X4"));
            else sb.Append(c);
        }
        return sb.ToString();
    }

    public static string Data(byte[]? data)
    {
        if (data == null) return "null";
        if (data.Length > 64) return "len:" + data.Length;
        if (data.All(b => b >= 0x20 && b <= 0x7e)) return "\"" + Escape(Encoding.ASCII.GetString(data)) + "\"";
        return "hex:" + Convert.ToHexString(data).ToLowerInvariant();
    }

    /// <summary>Entries as scheme:id:perms, scheme and id escaped as the recorder escapes them.</summary>
    public static string Acl(IEnumerable<Acl> acl) =>
        string.Join(",", acl.Select(a => Escape(a.Id.Scheme) + ":" + Escape(a.Id.Id) + ":" + Core.Acl.PermLetters(a.Perms)));
}
