using Orleans;
using System.Text;

namespace OrleansZk.Core;

/// <summary>ZooKeeper's permission bits (ZooDefs.Perms).</summary>
[Flags]
[GenerateSerializer, Alias("zk.Perms")]
public enum Perms
{
    None = 0,
    Read = 1,
    Write = 2,
    Create = 4,
    Delete = 8,
    Admin = 16,
    All = 31,
}

/// <summary>An identity: a scheme ("world", "auth", "digest", "ip", "super") and an id within it.</summary>
[GenerateSerializer, Immutable, Alias("zk.ZkId")]
public readonly record struct ZkId(string Scheme, string Id)
{
    public static readonly ZkId Anyone = new("world", "anyone");

    public override string ToString() => Scheme + ":" + Id;
}

/// <summary>One access-control entry: the permissions granted to an identity.</summary>
[GenerateSerializer, Immutable, Alias("zk.Acl")]
public readonly record struct Acl(Perms Perms, ZkId Id)
{
    public static readonly Acl OpenUnsafe = new(Perms.All, ZkId.Anyone);
    public static readonly Acl ReadUnsafe = new(Perms.Read, ZkId.Anyone);

    /// <summary>"scheme:id:perms", perms as letters in the order rwcda (the conformance format).</summary>
    public override string ToString() => Id.Scheme + ":" + Id.Id + ":" + PermLetters(Perms);

    public static string PermLetters(Perms p)
    {
        var sb = new StringBuilder(5);
        if ((p & Perms.Read) != 0) sb.Append('r');
        if ((p & Perms.Write) != 0) sb.Append('w');
        if ((p & Perms.Create) != 0) sb.Append('c');
        if ((p & Perms.Delete) != 0) sb.Append('d');
        if ((p & Perms.Admin) != 0) sb.Append('a');
        return sb.ToString();
    }

    /// <summary>Parses letters from "rwcda" (any order); throws BadArguments on anything else.</summary>
    public static Perms ParsePerms(string letters)
    {
        var p = Perms.None;
        foreach (var c in letters)
        {
            p |= c switch
            {
                'r' => Perms.Read,
                'w' => Perms.Write,
                'c' => Perms.Create,
                'd' => Perms.Delete,
                'a' => Perms.Admin,
                _ => throw new ZkException(ZkErrorCode.BadArguments, null, $"unknown permission '{c}' in \"{letters}\""),
            };
        }
        return p;
    }

    /// <summary>Parses "scheme:id:perms[,scheme:id:perms…]" (zkCli's form; the id may contain colons).</summary>
    public static AclList ParseList(string text)
    {
        var entries = new List<Acl>();
        foreach (var part in text.Split(','))
        {
            var first = part.IndexOf(':');
            var last = part.LastIndexOf(':');
            if (first < 0 || last == first)
                throw new ZkException(ZkErrorCode.BadArguments, null, $"ACL entry \"{part}\" is not scheme:id:perms");
            entries.Add(new Acl(ParsePerms(part[(last + 1)..]), new ZkId(part[..first], part[(first + 1)..last])));
        }
        return new AclList(entries);
    }
}

/// <summary>
/// An immutable list of ACL entries with value equality, so that the tree can share one instance
/// among all the nodes that carry the same ACL (as ZooKeeper's ReferenceCountedACLCache does).
/// </summary>
[Immutable]
public sealed class AclList : IEquatable<AclList>, IReadOnlyList<Acl>
{
    private readonly Acl[] _entries;
    private readonly int _hash;

    public static readonly AclList OpenUnsafe = new([Acl.OpenUnsafe]);
    public static readonly AclList ReadUnsafe = new([Acl.ReadUnsafe]);
    public static readonly AclList Empty = new([]);

    public AclList(IEnumerable<Acl> entries)
    {
        _entries = entries.ToArray();
        var h = new HashCode();
        foreach (var e in _entries) h.Add(e);
        _hash = h.ToHashCode();
    }

    public int Count => _entries.Length;
    public Acl this[int index] => _entries[index];
    public IEnumerator<Acl> GetEnumerator() => ((IEnumerable<Acl>)_entries).GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => _entries.GetEnumerator();

    public bool Equals(AclList? other) =>
        other != null && (ReferenceEquals(this, other) || (_hash == other._hash && _entries.AsSpan().SequenceEqual(other._entries)));

    public override bool Equals(object? obj) => Equals(obj as AclList);
    public override int GetHashCode() => _hash;
    public override string ToString() => string.Join(",", _entries);
}
