using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using OrleansZk.Core;

namespace OrleansZk.Conformance.Tests.Differential;

/// <summary>
/// Answers rendered as the conformance recorder renders ZooKeeper's (docs/conformance.md, "Answer
/// syntax"), and made comparable across systems: <see cref="Relative"/> rewrites absolute zxids
/// as offsets from a run's first zxid.
/// </summary>
internal static partial class AnswerText
{
    /// <summary>The stat; the owner is the session's name, 0 for none, else the signed number.</summary>
    public static string Stat(Stat s, Func<long, string> owner) => string.Create(CultureInfo.InvariantCulture,
        $"{{czxid={s.Czxid} mzxid={s.Mzxid} pzxid={s.Pzxid} version={s.Version} cversion={s.Cversion} aversion={s.Aversion} owner={owner(s.EphemeralOwner)} len={s.DataLength} children={s.NumChildren}}}");

    /// <summary>null, len:N beyond 64 bytes, "text" when every byte is printable ASCII, else hex.</summary>
    public static string Data(byte[]? data)
    {
        if (data == null) return "null";
        if (data.Length > 64) return "len:" + data.Length.ToString(CultureInfo.InvariantCulture);
        if (data.All(b => b is >= 0x20 and <= 0x7e)) return "\"" + Escape(Encoding.ASCII.GetString(data)) + "\"";
        return "hex:" + Convert.ToHexStringLower(data);
    }

    /// <summary>Entries as scheme:id:perms (perms in the order rwcda), scheme and id escaped.</summary>
    public static string Acl(IEnumerable<Acl> acl) =>
        string.Join(",", acl.Select(a => Escape(a.Id.Scheme) + ":" + Escape(a.Id.Id) + ":" + Core.Acl.PermLetters(a.Perms)));

    /// <summary>[a,b,c], sorted ordinally (as Java sorts strings), each escaped.</summary>
    public static string List(IEnumerable<string> items) =>
        "[" + string.Join(",", items.Order(StringComparer.Ordinal).Select(Escape)) + "]";

    /// <summary>Escapes " and \ with a backslash and every UTF-16 unit outside 0x20–0x7e as \uXXXX.</summary>
    public static string Escape(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            if (c is '"' or '\\') sb.Append('\\').Append(c);
            else if (c is < ' ' or > '~') sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>
    /// The answer with every czxid, mzxid and pzxid written as "+N": its distance from
    /// <paramref name="baseZxid"/>, the run's first zxid. Two systems that consume zxids alike give
    /// equal offsets, whatever their epochs and earlier history. Zxid 0 (the initial tree's
    /// nodes) stays 0; a zxid from before the run would show as "+-N".
    /// </summary>
    public static string Relative(string answer, long baseZxid) =>
        ZxidField().Replace(answer, m =>
        {
            var zxid = long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            return m.Groups[1].Value + "=" + (zxid == 0 ? "0" : "+" + (zxid - baseZxid).ToString(CultureInfo.InvariantCulture));
        });

    /// <summary>The czxid of the first stat in the answer, if any.</summary>
    public static long? FirstCzxid(string answer)
    {
        var m = ZxidField().Match(answer);
        return m.Success && m.Groups[1].Value == "czxid" ? long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : null;
    }

    [GeneratedRegex(@"\b(czxid|mzxid|pzxid)=(-?\d+)")]
    private static partial Regex ZxidField();
}
