using System.Text;
using OrleansZk.Core;

namespace OrleansZk.Cli.Output;

/// <summary>ACLs as zkCli reads (<c>AclParser</c>) and prints (<c>getAcl</c>) them.</summary>
internal static class AclText
{
    /// <summary>
    /// One <c>getAcl</c> entry: Java prints the id with jute's record <c>toString</c>, which quotes
    /// each field with a leading <c>'</c>, separates them with a comma and ends the record with a
    /// newline, so every entry takes two lines: <c>'world,'anyone</c> then <c>: cdrwa</c>.
    /// </summary>
    public static string Entry(Acl acl) => JuteRecord(acl.Id.Scheme, acl.Id.Id) + ": " + Perms(acl.Perms);

    /// <summary>ZKUtil.getPermString: the letters in the order c, d, r, w, a.</summary>
    public static string Perms(Perms perms)
    {
        var sb = new StringBuilder(5);
        if ((perms & Core.Perms.Create) != 0) sb.Append('c');
        if ((perms & Core.Perms.Delete) != 0) sb.Append('d');
        if ((perms & Core.Perms.Read) != 0) sb.Append('r');
        if ((perms & Core.Perms.Write) != 0) sb.Append('w');
        if ((perms & Core.Perms.Admin) != 0) sb.Append('a');
        return sb.ToString();
    }

    private static string JuteRecord(params string[] fields) => string.Join(",", fields.Select(JuteString)) + "\n";

    /// <summary>jute's ToStringOutputArchive string form: a leading quote and %-escapes for the characters its CSV form reserves.</summary>
    private static string JuteString(string s)
    {
        var sb = new StringBuilder(s.Length + 1).Append('\'');
        foreach (var c in s)
        {
            sb.Append(c switch
            {
                '\0' => "%00",
                '\n' => "%0A",
                '\r' => "%0D",
                ',' => "%2C",
                '}' => "%7D",
                '%' => "%25",
                _ => c.ToString(),
            });
        }
        return sb.ToString();
    }

    /// <summary>
    /// zkCli's <c>AclParser.parse</c> of "scheme:id:perms,...": lenient where Core's
    /// <see cref="Acl.ParseList"/> is strict. An entry without two colons and each unknown
    /// permission letter are reported on <paramref name="error"/> and skipped, so the list may
    /// come out empty (which the create or setAcl then refuses as an invalid ACL).
    /// </summary>
    public static List<Acl> Parse(string text, TextWriter error)
    {
        var acl = new List<Acl>();
        foreach (var entry in JavaSplit(text, ','))
        {
            var first = entry.IndexOf(':');
            var last = entry.LastIndexOf(':');
            if (first < 0 || first == last)
            {
                error.WriteLine(entry + " does not have the form scheme:id:perm");
                continue;
            }
            var id = new ZkId(entry[..first], entry[(first + 1)..last]);
            acl.Add(new Acl(ParsePerms(entry[(last + 1)..], error), id));
        }
        return acl;
    }

    /// <summary>Java's <c>String.split</c>: trailing empty parts are dropped (unless there is no separator at all).</summary>
    private static List<string> JavaSplit(string text, char separator)
    {
        var parts = text.Split(separator).ToList();
        if (parts.Count == 1) return parts;
        while (parts.Count > 0 && parts[^1].Length == 0) parts.RemoveAt(parts.Count - 1);
        return parts;
    }

    private static Perms ParsePerms(string letters, TextWriter error)
    {
        var perms = Core.Perms.None;
        foreach (var c in letters)
        {
            if ("rwcda".Contains(c))
                perms |= Acl.ParsePerms(c.ToString());
            else
                error.WriteLine("Unknown perm type: " + c);
        }
        return perms;
    }
}
