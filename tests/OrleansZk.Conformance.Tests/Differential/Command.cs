using System.Globalization;
using System.Text;
using OrleansZk.Core;

namespace OrleansZk.Conformance.Tests.Differential;

/// <summary>
/// One step of a differential run, typed for the SDK and written as a line of the conformance
/// scenario syntax (docs/conformance.md) for ZooKeeper's side, so a failing run's script can be
/// pasted into a scenario file and recorded.
/// </summary>
internal abstract record Command
{
    /// <summary>The command as a scenario line.</summary>
    public abstract string Script { get; }
}

/// <summary><c>session NAME</c>: a new session.</summary>
internal sealed record OpenSession(string Name) : Command
{
    public override string Script => "session " + Name;
}

/// <summary><c>close NAME</c>: closeSession (its ephemerals go).</summary>
internal sealed record CloseSession(string Name) : Command
{
    public override string Script => "close " + Name;
}

/// <summary><c>NAME addauth digest CREDENTIALS</c>.</summary>
internal sealed record AddAuth(string Session, string Credentials) : Command
{
    public override string Script => $"{Session} addauth digest {ScriptText.Token(Credentials)}";
}

/// <summary>A read, or sync: <c>NAME get|stat|ls|getacl|count|ephemerals|sync PATH</c>.</summary>
internal sealed record Read(string Session, string Kind, string Path) : Command
{
    public override string Script => $"{Session} {Kind} {ScriptText.Token(Path)}";
}

/// <summary>A write: create, delete, set, setacl or multi.</summary>
internal sealed record Write(string Session, WriteRequest Request) : Command
{
    public override string Script => Session + " " + ScriptText.Op(Request);
}

/// <summary>Writing requests, data and ACLs as scenario tokens.</summary>
internal static class ScriptText
{
    public static string Op(WriteRequest request) => request switch
    {
        CreateRequest c => $"create {Flags(c)}{Token(c.Path)} {Data(c.Data)}" + (ReferenceEquals(c.Acl, AclList.OpenUnsafe) ? "" : " " + Acl(c.Acl)),
        DeleteRequest d => $"delete {Token(d.Path)} {Number(d.Version)}",
        SetDataRequest s => $"set {Token(s.Path)} {Data(s.Data)} {Number(s.Version)}",
        SetAclRequest a => $"setacl {Token(a.Path)} {Acl(a.Acl)} {Number(a.Aversion)}",
        CheckRequest k => $"check {Token(k.Path)} {Number(k.Version)}",
        MultiRequest m => m.Ops.Count == 0 ? "multi" : "multi " + string.Join(" ; ", m.Ops.Select(Op)),
        _ => throw new ArgumentException($"{request.GetType().Name} has no scenario form"),
    };

    private static string Flags(CreateRequest c) => c.Mode switch
    {
        CreateMode.Persistent => "",
        CreateMode.Ephemeral => "-e ",
        CreateMode.PersistentSequential => "-s ",
        CreateMode.EphemeralSequential => "-e -s ",
        CreateMode.Container => "-c ",
        CreateMode.PersistentWithTtl => $"-t {Number(c.Ttl)} ",
        CreateMode.PersistentSequentialWithTtl => $"-s -t {Number(c.Ttl)} ",
        _ => throw new ArgumentException("no scenario flag for " + c.Mode),
    };

    /// <summary>null, or the data's text quoted (the generator's data is always valid UTF-8 text).</summary>
    public static string Data(byte[]? data) => data == null ? "null" : Quote(Encoding.UTF8.GetString(data));

    /// <summary>Entries scheme:id:perms joined by commas; quoted when an id needs it.</summary>
    public static string Acl(IReadOnlyList<Acl> acl) =>
        Token(string.Join(",", acl.Select(a => a.Id.Scheme + ":" + a.Id.Id + ":" + Core.Acl.PermLetters(a.Perms))));

    /// <summary>A token as it is, or quoted when it is empty or holds a space, a quote, a backslash or a non-printable character.</summary>
    public static string Token(string text) =>
        text.Length > 0 && text.All(c => c > ' ' && c < 0x7f && c != '"' && c != '\\') ? text : Quote(text);

    private static string Quote(string text)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in text)
        {
            if (c is '"' or '\\') sb.Append('\\').Append(c);
            else if (c < 0x20 || c > 0x7e) sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        return sb.Append('"').ToString();
    }

    private static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);
}
