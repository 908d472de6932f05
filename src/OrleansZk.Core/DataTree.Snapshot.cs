namespace OrleansZk.Core;

public sealed partial class DataTree
{
    private SnapshotWriter? _snapshot;
    private int _snapGen;

    /// <summary>
    /// Starts a point-in-time snapshot of the tree as of <see cref="LastZxid"/>, written to
    /// <paramref name="output"/> in slices (<see cref="SnapshotWriter.WriteSome"/>) between applies,
    /// so a large tree never blocks the pipeline. Applies may continue meanwhile: before a change
    /// touches a node the snapshot has not written yet, the node's old state is written first, so the
    /// snapshot is exactly the tree at its zxid. One snapshot at a time.
    /// </summary>
    public SnapshotWriter BeginSnapshot(Stream output)
    {
        if (_snapshot != null) throw new InvalidOperationException("a snapshot is already being written");
        _snapGen++;
        _snapshot = new SnapshotWriter(this, output, _snapGen, _nodes.Keys.ToArray(), _sessions.Values.ToArray());
        return _snapshot;
    }

    /// <summary>Writes the whole snapshot at once (for tests and small trees).</summary>
    public SnapshotInfo WriteSnapshot(Stream output)
    {
        var writer = BeginSnapshot(output);
        while (!writer.WriteSome(int.MaxValue)) { }
        return writer.Info!;
    }

    internal void EndSnapshot(SnapshotWriter writer)
    {
        if (_snapshot == writer) _snapshot = null;
    }

    /// <summary>Before a node changes, a running snapshot that still owes it writes its old state.</summary>
    private void BeforeChange(string path, DataNode node)
    {
        if (_snapshot != null && node.SnapGen != _snapGen)
        {
            node.SnapGen = _snapGen;
            _snapshot.WriteNode(path, node);
        }
    }

    /// <summary>A node the snapshot still owes, by path (null when written, created later, or gone).</summary>
    internal DataNode? OwedNode(string path, int gen)
    {
        if (!_nodes.TryGetValue(path, out var node) || node.SnapGen == gen) return null;
        node.SnapGen = gen;
        return node;
    }

    /// <summary>Loads a snapshot written by <see cref="BeginSnapshot"/>; throws <see cref="InvalidDataException"/> on a bad or torn file.</summary>
    public static DataTree LoadSnapshot(Stream input) => SnapshotReader.Read(input, () => new DataTree(withSystemNodes: false));

    internal void LoadNode(string path, DataNode node) => _nodes.Add(path, node);

    internal void LoadSession(SessionEntry s) => _sessions[s.SessionId] = s;

    /// <summary>Links children to parents and rebuilds the indexes, after all nodes are loaded.</summary>
    internal void FinishLoad(long zxid)
    {
        foreach (var (path, node) in _nodes)
        {
            node.Acl = Intern(node.Acl);
            IndexAdd(path, node.EphemeralOwner);
            ApproximateDataSize += SizeOf(path, node);
            if (path == ZkPath.Root) continue;
            if (!_nodes.TryGetValue(ZkPath.Parent(path), out var parent))
                throw new InvalidDataException($"snapshot holds {path} without its parent");
            parent.AddChild(path);
        }
        if (!_nodes.ContainsKey(ZkPath.Root)) throw new InvalidDataException("snapshot has no root node");
        LastZxid = zxid;
    }
}

/// <summary>What a finished snapshot covers.</summary>
public sealed record SnapshotInfo(long Zxid, long NodeCount, ulong Digest, long Bytes);
