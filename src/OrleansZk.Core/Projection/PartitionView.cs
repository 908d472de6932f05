namespace OrleansZk.Core;

/// <summary>
/// The nodes of one partition, as a projection of the replicated tree: built from images, moved
/// forward by <see cref="TxnEffects"/> in zxid order, and read with the same rules as
/// <see cref="DataTree"/>'s reads (path validation, NoNode, ACL checks, digest masking). Pure and
/// single-threaded: the partition grain owns one and adds ordering, watermarks and catch-up.
/// </summary>
public sealed class PartitionView
{
    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);

    /// <summary>The zxid of the last txn applied here (or of the image loaded); effects at or below it are skipped.</summary>
    public long LastZxid { get; private set; }

    public int NodeCount => _nodes.Count;

    /// <summary>Replaces the whole content with <paramref name="images"/>, as of <paramref name="lastZxid"/>.</summary>
    public void Load(IEnumerable<NodeImage> images, long lastZxid)
    {
        _nodes.Clear();
        foreach (var image in images)
            _nodes[image.Path] = new Node(image.Data, image.Acl, image.Stat, image.Children.Count == 0 ? null : SortedNames.Of(image.Children));
        LastZxid = lastZxid;
    }

    /// <summary>Applies one txn's effects; false (and nothing changes) when it is at or below <see cref="LastZxid"/>.</summary>
    public bool Apply(TxnEffects txn)
    {
        if (txn.Zxid <= LastZxid) return false;
        foreach (var e in txn.Nodes) Apply(e);
        LastZxid = txn.Zxid;
        return true;
    }

    private void Apply(NodeEffect e)
    {
        if (!e.Exists)
        {
            _nodes.Remove(e.Path);
            return;
        }
        if (!_nodes.TryGetValue(e.Path, out var node) || e.Created)
        {
            if (!e.HasContent) throw new InvalidOperationException($"effect for unknown node {e.Path} carries no content");
            _nodes[e.Path] = node = new Node(e.Data, e.Acl!, e.Stat, null);
        }
        else if (e.HasContent)
        {
            node.Data = e.Data;
            node.Acl = e.Acl!;
        }
        node.Stat = e.Stat;
        if (e.Children == null) return;
        foreach (var c in e.Children)
        {
            if (c.Added) (node.Children ??= new SortedNames()).Add(c.Name);
            else if (node.Children != null && node.Children.Remove(c.Name) && node.Children.Count == 0) node.Children = null;
        }
    }

    /// <summary>getData: NoNode if absent, NoAuth without READ.</summary>
    public DataResult GetData(string path, AuthInfo auth)
    {
        var node = Readable(path, auth, Perms.Read);
        return new DataResult(node.Data, node.Stat);
    }

    /// <summary>exists: the stat or null; no permission needed (ZooKeeper 3.8).</summary>
    public Stat? Exists(string path)
    {
        ZkPath.Validate(path);
        return _nodes.TryGetValue(path, out var node) ? node.Stat : null;
    }

    /// <summary>getChildren (with stat): NoNode if absent, NoAuth without READ. The names come in ordinal order.</summary>
    public ChildrenResult GetChildren(string path, AuthInfo auth)
    {
        var node = Readable(path, auth, Perms.Read);
        return new ChildrenResult(node.Children?.ToArray() ?? [], node.Stat);
    }

    /// <summary>
    /// One page of getChildren (beyond ZooKeeper): up to <paramref name="pageSize"/> child names
    /// strictly after <paramref name="after"/> (null: from the first) in ordinal order, the node's
    /// stat, and the last name returned as the continuation when more follow. BadArguments for a
    /// page size outside 1..<see cref="GetChildrenPageRequest.MaxPageSize"/> or an empty or '/'-holding
    /// <paramref name="after"/>; then NoNode if absent, NoAuth without READ, as getChildren.
    /// O(log n + page): the names are never copied or sorted as a whole.
    /// </summary>
    public ChildrenPage GetChildrenPage(string path, int pageSize, string? after, AuthInfo auth)
    {
        ZkPath.Validate(path);
        GetChildrenPageRequest.ValidateArguments(path, pageSize, after);
        var node = Readable(path, auth, Perms.Read);
        if (node.Children == null) return new ChildrenPage([], node.Stat, null);
        var (names, more) = node.Children.After(after, pageSize);
        return new ChildrenPage(names, node.Stat, more ? names[^1] : null);
    }

    /// <summary>getACL: READ or ADMIN needed; digest ids masked without ADMIN.</summary>
    public AclResult GetAcl(string path, AuthInfo auth)
    {
        var node = Readable(path, auth, Perms.Read | Perms.Admin);
        var acl = AclRules.Allows(node.Acl, Perms.Admin, auth) ? node.Acl : AclRules.MaskDigests(node.Acl);
        return new AclResult(acl, node.Stat);
    }

    /// <summary>Checks that getAllChildrenNumber may read <paramref name="path"/> (exists, READ).</summary>
    public void CheckReadable(string path, AuthInfo auth) => Readable(path, auth, Perms.Read);

    /// <summary>How many nodes of this partition lie strictly below <paramref name="path"/>.</summary>
    public int CountDescendants(string path)
    {
        if (path == ZkPath.Root) return _nodes.Count - (_nodes.ContainsKey(ZkPath.Root) ? 1 : 0);
        var prefix = path + "/";
        var count = 0;
        foreach (var key in _nodes.Keys)
            if (key.StartsWith(prefix, StringComparison.Ordinal)) count++;
        return count;
    }

    /// <summary>The stats of this partition's nodes at or below <paramref name="path"/>.</summary>
    public IEnumerable<Stat> StatsAtOrBelow(string path)
    {
        foreach (var (key, node) in _nodes)
            if (ZkPath.IsAtOrBelow(key, path)) yield return node.Stat;
    }

    /// <summary>Every node, as images (for tests and diagnostics).</summary>
    public IEnumerable<NodeImage> Images() =>
        _nodes.Select(kv => new NodeImage(kv.Key, kv.Value.Data, kv.Value.Acl, kv.Value.Stat, kv.Value.Children?.ToArray() ?? []));

    private Node Readable(string path, AuthInfo auth, Perms perm)
    {
        ZkPath.Validate(path);
        if (!_nodes.TryGetValue(path, out var node)) throw new ZkException(ZkErrorCode.NoNode, path);
        AclRules.Check(node.Acl, perm, auth, path);
        return node;
    }

    /// <summary>A node; <see cref="Children"/> is null while it has none (most nodes), and kept sorted for paging.</summary>
    private sealed class Node(byte[]? data, AclList acl, Stat stat, SortedNames? children)
    {
        public byte[]? Data = data;
        public AclList Acl = acl;
        public Stat Stat = stat;
        public SortedNames? Children = children;
    }
}
