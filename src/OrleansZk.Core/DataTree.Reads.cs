using Orleans;

namespace OrleansZk.Core;

/// <summary>getData's answer.</summary>
[GenerateSerializer, Alias("zk.DataResult")]
public sealed record DataResult(byte[]? Data, Stat Stat);

/// <summary>getChildren's answer: child names (unordered, as ZooKeeper) and the parent's stat.</summary>
[GenerateSerializer, Immutable, Alias("zk.ChildrenResult")]
public sealed record ChildrenResult(IReadOnlyList<string> Children, Stat Stat);

/// <summary>
/// One page of a node's children (beyond ZooKeeper): <paramref name="Children"/> in ordinal order
/// (UTF-16 code units, as Java's <c>String.compareTo</c>; byte order for ASCII names), the node's
/// stat, and <paramref name="Continuation"/>: the last name of this page when more children follow
/// it (pass it as the next page's "after"), null on the last page.
/// </summary>
[GenerateSerializer, Immutable, Alias("zk.ChildrenPage")]
public sealed record ChildrenPage(IReadOnlyList<string> Children, Stat Stat, string? Continuation);

/// <summary>getACL's answer.</summary>
[GenerateSerializer, Immutable, Alias("zk.AclResult")]
public sealed record AclResult(AclList Acl, Stat Stat);

public sealed partial class DataTree
{
    /// <summary>getData: NoNode if absent, NoAuth without READ.</summary>
    public DataResult GetData(string path, AuthInfo auth)
    {
        var node = ReadableNode(path, auth, Perms.Read);
        return new DataResult(node.Data, node.ToStat());
    }

    /// <summary>exists: the stat, or null when the node does not exist. No permission is needed (as in ZooKeeper 3.8).</summary>
    public Stat? Exists(string path, AuthInfo auth)
    {
        _ = auth;
        ValidateReadPath(path);
        return _nodes.TryGetValue(path, out var node) ? node.ToStat() : null;
    }

    /// <summary>The stat of a node, without an ACL check (for the service's own use).</summary>
    public bool TryGetStat(string path, out Stat stat)
    {
        if (_nodes.TryGetValue(path, out var node))
        {
            stat = node.ToStat();
            return true;
        }
        stat = default;
        return false;
    }

    /// <summary>getChildren (with stat): NoNode if absent, NoAuth without READ.</summary>
    public ChildrenResult GetChildren(string path, AuthInfo auth)
    {
        var node = ReadableNode(path, auth, Perms.Read);
        return new ChildrenResult(ChildNames(path, node), node.ToStat());
    }

    /// <summary>getAllChildrenNumber: the number of descendants (not counting the node); NoAuth without READ.</summary>
    public int GetAllChildrenNumber(string path, AuthInfo auth)
    {
        ReadableNode(path, auth, Perms.Read);
        if (path == ZkPath.Root) return _nodes.Count - 1;
        var prefix = path + "/";
        var count = 0;
        foreach (var key in _nodes.Keys)
            if (key.StartsWith(prefix, StringComparison.Ordinal)) count++;
        return count;
    }

    /// <summary>
    /// getACL: needs READ or ADMIN; without ADMIN, digest ids come back masked as "user:x".
    /// </summary>
    public AclResult GetAcl(string path, AuthInfo auth)
    {
        var node = ReadableNode(path, auth, Perms.Read | Perms.Admin);
        var acl = AclRules.Allows(node.Acl, Perms.Admin, auth) ? node.Acl : AclRules.MaskDigests(node.Acl);
        return new AclResult(acl, node.ToStat());
    }

    /// <summary>getEphemerals: the session's ephemeral paths that start with <paramref name="prefix"/> ("/" or empty = all), sorted.</summary>
    public IReadOnlyList<string> GetEphemerals(long sessionId, string? prefix)
    {
        if (!_ephemerals.TryGetValue(sessionId, out var set)) return [];
        var all = string.IsNullOrWhiteSpace(prefix) || prefix.Trim() == ZkPath.Root;
        var list = all ? set.ToList() : set.Where(p => p.StartsWith(prefix!, StringComparison.Ordinal)).ToList();
        list.Sort(StringComparer.Ordinal);
        return list;
    }

    private static List<string> ChildNames(string path, DataNode node)
    {
        if (node.Children == null) return [];
        var skip = path == ZkPath.Root ? 1 : path.Length + 1;
        var names = new List<string>(node.Children.Count);
        foreach (var child in node.Children) names.Add(child[skip..]);
        return names;
    }

    private DataNode ReadableNode(string path, AuthInfo auth, Perms perm)
    {
        ValidateReadPath(path);
        if (!_nodes.TryGetValue(path, out var node)) throw new ZkException(ZkErrorCode.NoNode, path);
        AclRules.Check(node.Acl, perm, auth, path);
        return node;
    }

    private static void ValidateReadPath(string path) => ZkPath.Validate(path);
}
