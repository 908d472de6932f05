namespace OrleansZk.Core;

/// <summary>
/// One znode as the tree stores it. Kept small (about 100 bytes): the stat fields are plain
/// fields, the ACL is a shared interned <see cref="AclList"/>, and the children set holds the
/// children's full-path strings — the same instances that key the tree's map, so a child costs
/// no second string. <see cref="Cversion"/> is ZooKeeper's persisted cversion: the number of
/// child creations; clients see 2 × Cversion − NumChildren (creations plus deletions).
/// </summary>
internal sealed class DataNode
{
    public byte[]? Data;
    public AclList Acl;
    public ChildSet? Children;
    public long Czxid;
    public long Mzxid;
    public long Pzxid;
    public long Ctime;
    public long Mtime;
    public long EphemeralOwner;
    public int Version;
    public int Cversion;
    public int Aversion;

    /// <summary>The snapshot generation this node was written in (or created during): see <see cref="SnapshotWriter"/>.</summary>
    public int SnapGen;

    public DataNode(byte[]? data, AclList acl) => (Data, Acl) = (data, acl);

    public int NumChildren => Children?.Count ?? 0;

    public Stat ToStat() => new(
        Czxid, Mzxid, Ctime, Mtime, Version,
        Cversion * 2 - NumChildren,
        Aversion,
        EphemeralOwners.ClientVisible(EphemeralOwner),
        Data?.Length ?? 0,
        NumChildren,
        Pzxid);

    public void AddChild(string childPath) => (Children ??= new ChildSet()).Add(childPath);

    public void RemoveChild(string childPath)
    {
        if (Children == null) return;
        Children.Remove(childPath);
        if (Children.Count == 0) Children = null;
    }
}

/// <summary>A session as the replicated state records it.</summary>
public sealed record SessionEntry(long SessionId, int TimeoutMs, byte[] Password);
