namespace OrleansZk.Core;

/// <summary>
/// The znode tree: every node with its data, ACL, stat and children, the session table, and the
/// indexes ZooKeeper keeps beside the tree (ephemerals per session, containers, TTL nodes).
/// Changed only by <see cref="Apply"/>, which is deterministic: it reads no clock and no random
/// source, so snapshot + replay of the log equals the live tree on every replica.
/// Not thread-safe: one writer, and readers on the same thread (the replica's pipeline).
/// </summary>
public sealed partial class DataTree
{
    public const string SystemPath = "/zookeeper";
    public const string QuotaPath = "/zookeeper/quota";
    public const string ConfigPath = "/zookeeper/config";

    private readonly Dictionary<string, DataNode> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<AclList, AclList> _acls = new();
    private readonly Dictionary<long, HashSet<string>> _ephemerals = new();
    private readonly HashSet<string> _containers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ttls = new(StringComparer.Ordinal);
    private readonly Dictionary<long, SessionEntry> _sessions = new();

    /// <summary>A tree as ZooKeeper starts one: "/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config".</summary>
    public DataTree() : this(withSystemNodes: true)
    {
    }

    private DataTree(bool withSystemNodes)
    {
        if (!withSystemNodes) return;
        // As ZooKeeper's DataTree constructor: the system nodes have all-zero stats and empty
        // (not null) data, are linked to their parents without counting as child creations (so
        // "/" shows cversion -1 and "/zookeeper" -2), and /zookeeper/config is world-readable
        // only, with aversion -1 (ZooKeeper sets its ACL with version -1).
        var root = new DataNode([], Intern(AclList.OpenUnsafe));
        _nodes[ZkPath.Root] = root;
        ApproximateDataSize += ZkPath.Root.Length;
        AddSystemNode(SystemPath, AclList.OpenUnsafe);
        AddSystemNode(QuotaPath, AclList.OpenUnsafe);
        AddSystemNode(ConfigPath, AclList.ReadUnsafe).Aversion = -1;
    }

    private DataNode AddSystemNode(string path, AclList acl)
    {
        var node = new DataNode([], Intern(acl));
        _nodes[path] = node;
        ApproximateDataSize += path.Length;
        _nodes[ZkPath.Parent(path)].AddChild(path);
        return node;
    }

    /// <summary>The zxid of the last transaction applied (0 for a new tree).</summary>
    public long LastZxid { get; private set; }

    /// <summary>Number of znodes, the root and system nodes included.</summary>
    public int NodeCount => _nodes.Count;

    /// <summary>Number of ephemeral nodes of sessions (not containers or TTL nodes): mntr's zk_ephemerals_count.</summary>
    public int EphemeralCount { get; private set; }

    /// <summary>The sum over every znode of its path's length and its data's: ZooKeeper's approximate data size (mntr's zk_approximate_data_size).</summary>
    public long ApproximateDataSize { get; private set; }

    /// <summary>Open sessions by id.</summary>
    public IReadOnlyDictionary<long, SessionEntry> Sessions => _sessions;

    /// <summary>True for the paths ZooKeeper never lets a client delete ("/", /zookeeper and its quota and config nodes).</summary>
    public static bool IsSpecialPath(string path) =>
        path is ZkPath.Root or SystemPath or QuotaPath or ConfigPath;

    internal DataNode? GetNode(string path) => _nodes.GetValueOrDefault(path);

    internal IEnumerable<string> ContainerPaths => _containers;
    internal IEnumerable<string> TtlPaths => _ttls;

    /// <summary>The paths of a session's ephemeral nodes (a copy).</summary>
    public IReadOnlyCollection<string> EphemeralsOf(long sessionId) =>
        _ephemerals.TryGetValue(sessionId, out var set) ? set.ToArray() : [];

    /// <summary>One shared instance per distinct ACL, as ZooKeeper's ACL cache.</summary>
    internal AclList Intern(AclList acl)
    {
        if (_acls.TryGetValue(acl, out var shared)) return shared;
        _acls[acl] = acl;
        return acl;
    }

    /// <summary>What a node adds to <see cref="ApproximateDataSize"/>.</summary>
    private static long SizeOf(string path, DataNode node) => path.Length + (node.Data?.Length ?? 0);

    private void IndexAdd(string path, long owner)
    {
        if (owner == 0) return;
        if (EphemeralOwners.IsContainer(owner)) _containers.Add(path);
        else if (EphemeralOwners.IsTtl(owner)) _ttls.Add(path);
        else
        {
            if (!_ephemerals.TryGetValue(owner, out var set)) _ephemerals[owner] = set = new HashSet<string>(StringComparer.Ordinal);
            if (set.Add(path)) EphemeralCount++;
        }
    }

    private void IndexRemove(string path, long owner)
    {
        if (owner == 0) return;
        if (EphemeralOwners.IsContainer(owner)) _containers.Remove(path);
        else if (EphemeralOwners.IsTtl(owner)) _ttls.Remove(path);
        else if (_ephemerals.TryGetValue(owner, out var set))
        {
            if (set.Remove(path)) EphemeralCount--;
            if (set.Count == 0) _ephemerals.Remove(owner);
        }
    }
}
