namespace OrleansZk.Core;

/// <summary>
/// Turns a txn the tree has just applied into per-partition effects: one post-image per node the
/// txn touched (docs/service.md, "Effects, not requests"). A failed txn (an ErrorTxn, or a multi that
/// rolled back) touches nothing. Runs on the replica right after <see cref="DataTree.Apply"/>,
/// reading post-state from the tree, so every image is the node as of this zxid.
/// </summary>
public sealed class EffectBuilder
{
    private readonly int _partitions;
    private readonly Dictionary<string, Touch> _touched = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private int _triggers;

    public EffectBuilder(int partitions)
    {
        if (!PathHash.IsValidPartitionCount(partitions))
            throw new ArgumentOutOfRangeException(nameof(partitions), partitions, "a power of two from 1 to 65536");
        _partitions = partitions;
    }

    /// <summary>
    /// The effects of <paramref name="txn"/> (already applied to <paramref name="tree"/>), grouped by
    /// partition; empty when the txn changed no node.
    /// </summary>
    public IReadOnlyList<(int Partition, TxnEffects Effects)> Build(DataTree tree, Txn txn)
    {
        _touched.Clear();
        _order.Clear();
        _triggers = 0;
        Walk(txn.Body);
        if (_order.Count == 0) return [];

        var byPartition = new Dictionary<int, List<NodeEffect>>();
        foreach (var path in _order)
        {
            var t = _touched[path];
            // A Touch is made afresh per txn, so its trigger list can be handed over as is.
            var triggers = t.Triggers;
            NodeEffect effect;
            if (!tree.TryGetContent(path, out var data, out var acl, out var stat))
                effect = new NodeEffect(path, Exists: false, t.Created, default, false, null, null, null, triggers);
            else
                effect = new NodeEffect(path, Exists: true, t.Created, stat, t.Content,
                    t.Content ? data : null, t.Content ? acl : null, t.Children, triggers);
            var p = PathHash.PartitionOf(path, _partitions);
            if (!byPartition.TryGetValue(p, out var list)) byPartition[p] = list = new List<NodeEffect>(2);
            list.Add(effect);
        }
        var result = new List<(int, TxnEffects)>(byPartition.Count);
        foreach (var (p, list) in byPartition) result.Add((p, new TxnEffects(txn.Zxid, list)));
        return result;
    }

    /// <summary>
    /// Records what each op did, in op order. The triggers follow <see cref="DataTree.Apply"/>'s order:
    /// create → NodeCreated (node), NodeChildrenChanged (parent); delete → NodeDeleted (node),
    /// NodeChildrenChanged (parent); setData → NodeDataChanged; setACL → none.
    /// </summary>
    private void Walk(TxnBody body)
    {
        switch (body)
        {
            case CreateTxn c:
                var created = TouchOf(c.Path);
                created.Created = created.Content = true;
                Trigger(created, WatchEventType.NodeCreated);
                ChildOf(c.Path, added: true);
                break;
            case DeleteTxn d:
                Delete(d.Path);
                break;
            case SetDataTxn s:
                var set = TouchOf(s.Path);
                set.Content = true;
                Trigger(set, WatchEventType.NodeDataChanged);
                break;
            case SetAclTxn a:
                TouchOf(a.Path).Content = true;
                break;
            case CloseSessionTxn cl:
                foreach (var path in cl.PathsToDelete) Delete(path);
                break;
            case MultiTxn m when !m.Ops.Any(op => op is ErrorTxn):
                foreach (var op in m.Ops) Walk(op);
                break;
        }
    }

    private void Delete(string path)
    {
        Trigger(TouchOf(path), WatchEventType.NodeDeleted);
        ChildOf(path, added: false);
    }

    private void ChildOf(string path, bool added)
    {
        var parent = TouchOf(ZkPath.Parent(path));
        (parent.Children ??= []).Add(new ChildChange(ZkPath.Name(path), added));
        Trigger(parent, WatchEventType.NodeChildrenChanged);
    }

    private void Trigger(Touch t, WatchEventType type) => (t.Triggers ??= new List<EffectTrigger>(2)).Add(new EffectTrigger(type, _triggers++));

    private Touch TouchOf(string path)
    {
        if (!_touched.TryGetValue(path, out var t))
        {
            _touched[path] = t = new Touch();
            _order.Add(path);
        }
        return t;
    }

    private sealed class Touch
    {
        public bool Created;
        public bool Content;
        public List<ChildChange>? Children;
        public List<EffectTrigger>? Triggers;
    }
}
