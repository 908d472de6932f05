using OrleansZk.Zab;

namespace OrleansZk.Core;

/// <summary>
/// The ZooKeeper tree as ZAB's replicated state machine, the same on every replica, leader or
/// follower: it applies committed txns to its <see cref="DataTree"/> in zxid order and keeps what a
/// leader needs to feed the partitions — each txn's effects (<see cref="EffectBuilder"/>), the
/// partition chain (per partition, the last zxid that touched it: the next delivery's PrevZxid),
/// a bounded <see cref="EffectHistory"/> (DIFFs for partitions after a leader change) and an index
/// of every partition's paths (images without scanning the tree). All of it follows from the
/// committed sequence alone, so any replica that becomes leader carries on where the last one was.
/// <para>Where the chain is not known — before the point the state was loaded at (a snapshot,
/// recovery, SNAP) — it is that point: an upper bound of the true value, which is what the
/// partitions' gap detection needs (an overestimate can only make a partition wait, never skip).</para>
/// Pure and single-threaded.
/// </summary>
public sealed class ZkStateMachine : IZabStateMachine
{
    private readonly EffectBuilder _effects;
    private readonly Func<ZabSnapshot> _durableSnapshot;
    private readonly long[] _partitionLast;
    private readonly HashSet<string>[] _paths;

    /// <summary>
    /// Takes over <paramref name="tree"/> (as recovered: its <see cref="DataTree.LastZxid"/> is where
    /// the committed sequence continues). <paramref name="durableSnapshot"/> returns a durable
    /// snapshot of committed state (the newest snapshot file), for the engine to SNAP followers.
    /// </summary>
    public ZkStateMachine(DataTree tree, int partitions, EffectHistory history, Func<ZabSnapshot> durableSnapshot)
    {
        _effects = new EffectBuilder(partitions);
        Partitions = partitions;
        History = history;
        _durableSnapshot = durableSnapshot;
        _partitionLast = new long[partitions];
        _paths = new HashSet<string>[partitions];
        Load(tree);
    }

    /// <summary>The replicated tree (replaced by <see cref="Install"/>).</summary>
    public DataTree Tree { get; private set; } = null!;

    /// <summary>The zxid of the last committed txn applied.</summary>
    public long AppliedZxid => Tree.LastZxid;

    public int Partitions { get; }

    /// <summary>The recent effects (for partition DIFFs).</summary>
    public EffectHistory History { get; }

    /// <summary>The last zxid that touched <paramref name="partition"/> (an upper bound before the load point).</summary>
    public long PartitionLast(int partition) => _partitionLast[partition];

    /// <summary>
    /// Applies one committed entry; <paramref name="decoded"/> saves decoding when the caller
    /// prepared the txn itself (it must be the entry's txn). Throws <see cref="InvalidDataException"/>
    /// for an entry that is not a txn of this zxid.
    /// </summary>
    public AppliedTxn Apply(LogEntry entry, Txn? decoded = null)
    {
        var txn = decoded ?? TxnCodec.Decode(entry.Payload);
        if (txn.Zxid != entry.Zxid) throw new InvalidDataException($"log entry 0x{entry.Zxid:x} holds txn 0x{txn.Zxid:x}");
        var result = Tree.Apply(txn);
        var effects = _effects.Build(Tree, txn);
        var touched = new PartitionEffects[effects.Count];
        for (var i = 0; i < effects.Count; i++)
        {
            var (p, e) = effects[i];
            touched[i] = new PartitionEffects(p, _partitionLast[p], e);
            _partitionLast[p] = txn.Zxid;
            foreach (var n in e.Nodes)
            {
                if (!n.Exists) _paths[p].Remove(n.Path);
                else if (n.Created) _paths[p].Add(n.Path);
            }
        }
        History.Add(txn.Zxid, effects);
        return new AppliedTxn(txn, result, touched);
    }

    void IZabStateMachine.Apply(LogEntry txn) => Apply(txn);

    /// <summary>The newest durable snapshot (committed state), for SNAP.</summary>
    public ZabSnapshot TakeSnapshot() => _durableSnapshot();

    /// <summary>Replaces the state with a snapshot from the leader (the DataTree snapshot format).</summary>
    public void Install(ZabSnapshot snapshot)
    {
        var tree = DataTree.LoadSnapshot(new MemoryStream(snapshot.Data, writable: false));
        if (tree.LastZxid != snapshot.Zxid)
            throw new InvalidDataException($"snapshot for zxid 0x{snapshot.Zxid:x} holds zxid 0x{tree.LastZxid:x}");
        Load(tree);
    }

    /// <summary>
    /// What brings a partition that is complete through <paramref name="fromZxid"/> (−1: it holds
    /// nothing) to <see cref="AppliedZxid"/>: the effects on it since then when the history reaches
    /// back that far and the partition is not ahead of this replica; otherwise its whole image.
    /// </summary>
    public PartitionCatchUp CatchUp(int partition, long fromZxid)
    {
        var applied = AppliedZxid;
        if (fromZxid >= 0 && fromZxid <= applied && History.Covers(fromZxid))
            return new PartitionCatchUp(applied, _partitionLast[partition], History.For(partition, fromZxid), null);
        return new PartitionCatchUp(applied, _partitionLast[partition], null, Image(partition));
    }

    /// <summary>
    /// The effects on <paramref name="partition"/> of the txns in (<paramref name="fromZxid"/>,
    /// <paramref name="throughZxid"/>], or null when the history does not reach back that far (or the
    /// partition claims to be ahead of <paramref name="throughZxid"/>).
    /// </summary>
    public List<TxnEffects>? Diff(int partition, long fromZxid, long throughZxid)
    {
        if (fromZxid < 0 || fromZxid > throughZxid || throughZxid > AppliedZxid || !History.Covers(fromZxid)) return null;
        var diff = History.For(partition, fromZxid);
        diff.RemoveAll(e => e.Zxid > throughZxid);
        return diff;
    }

    /// <summary>Every node of <paramref name="partition"/> (from the index, not a scan of the tree).</summary>
    public List<NodeImage> Image(int partition)
    {
        var images = new List<NodeImage>(_paths[partition].Count);
        foreach (var path in _paths[partition])
            if (Tree.GetImage(path) is { } image) images.Add(image);
        return images;
    }

    private void Load(DataTree tree)
    {
        Tree = tree;
        Array.Fill(_partitionLast, tree.LastZxid);
        for (var p = 0; p < Partitions; p++) _paths[p] = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in tree.Paths()) _paths[PathHash.PartitionOf(path, Partitions)].Add(path);
        History.Reset(tree.LastZxid);
    }
}

/// <summary>A committed txn as applied: the txn, its result, and its effects by partition.</summary>
public sealed record AppliedTxn(Txn Txn, ApplyResult Result, IReadOnlyList<PartitionEffects> Effects);

/// <summary>A txn's effects on one partition, and the zxid of the txn that touched it before (a delivery's PrevZxid).</summary>
public readonly record struct PartitionEffects(int Partition, long PrevZxid, TxnEffects Effects);

/// <summary>
/// How to bring one partition to <paramref name="Watermark"/>: either <paramref name="Diff"/>, the
/// effects on it since the state it reported (in zxid order), or <paramref name="Image"/>, all its
/// nodes. <paramref name="LastTouched"/> is the chain's value for it (the next delivery's PrevZxid).
/// </summary>
public sealed record PartitionCatchUp(long Watermark, long LastTouched, IReadOnlyList<TxnEffects>? Diff, IReadOnlyList<NodeImage>? Image);
