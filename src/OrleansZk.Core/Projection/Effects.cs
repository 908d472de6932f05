using Orleans;

namespace OrleansZk.Core;

/// <summary>
/// What one committed transaction did to one node, as a post-image (docs/service.md, "Effects, not
/// requests"): partitions never re-execute requests or re-derive stats, they copy these.
/// </summary>
/// <param name="Path">The node.</param>
/// <param name="Exists">False: the node is gone after the txn (remove it).</param>
/// <param name="Created">The node was created by this txn: its children start empty before <paramref name="Children"/> apply.</param>
/// <param name="Stat">The node's stat after the txn (default when it no longer exists).</param>
/// <param name="HasContent">Data and ACL are included (the node was created, or its data or ACL set).</param>
/// <param name="Data">The node's data after the txn, when <paramref name="HasContent"/>.</param>
/// <param name="Acl">The node's ACL after the txn, when <paramref name="HasContent"/>.</param>
/// <param name="Children">Child names added or removed by the txn, in op order (null: none).</param>
/// <param name="Triggers">
/// The watch triggers the txn caused on this node (NodeCreated, NodeDeleted, NodeDataChanged on the
/// node itself, NodeChildrenChanged when it is the parent of a created or deleted node), each with its
/// place in the txn's trigger order, exactly as <see cref="DataTree.Apply"/> reports them; null when
/// none (setACL causes none, as in ZooKeeper). A multi may cause several on one node (create, then
/// setData, then delete), so this is a list, not a set.
/// </param>
[GenerateSerializer, Immutable, Alias("zk.NodeEffect")]
public sealed record NodeEffect(
    string Path,
    bool Exists,
    bool Created,
    Stat Stat,
    bool HasContent,
    byte[]? Data,
    AclList? Acl,
    IReadOnlyList<ChildChange>? Children,
    IReadOnlyList<EffectTrigger>? Triggers = null)
{
    /// <summary>True when the txn caused a trigger of <paramref name="type"/> on this node.</summary>
    public bool Caused(WatchEventType type)
    {
        if (Triggers == null) return false;
        foreach (var t in Triggers)
            if (t.Type == type) return true;
        return false;
    }
}

/// <summary>
/// One watch trigger on a node: its type and its place among all triggers of the txn (0, 1, 2, ...
/// across every node and partition), so events of a multi can be put back in op order.
/// </summary>
[GenerateSerializer, Immutable, Alias("zk.EffectTrigger")]
public readonly record struct EffectTrigger(WatchEventType Type, int Order);

/// <summary>A child name added to (or removed from) its parent's children.</summary>
[GenerateSerializer, Immutable, Alias("zk.ChildChange")]
public readonly record struct ChildChange(string Name, bool Added);

/// <summary>The effects of one txn on one partition: applied all together, at <paramref name="Zxid"/>.</summary>
[GenerateSerializer, Immutable, Alias("zk.TxnEffects")]
public sealed record TxnEffects(long Zxid, IReadOnlyList<NodeEffect> Nodes);

/// <summary>A node as a partition rebuilds it: content, stat and child names.</summary>
[GenerateSerializer, Immutable, Alias("zk.NodeImage")]
public sealed record NodeImage(string Path, byte[]? Data, AclList Acl, Stat Stat, IReadOnlyList<string> Children);
