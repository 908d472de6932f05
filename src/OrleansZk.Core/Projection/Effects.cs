using Orleans;

namespace OrleansZk.Core;

/// <summary>
/// What one committed transaction did to one node, as a post-image (DESIGN.md, "effects, not
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
[GenerateSerializer, Immutable, Alias("zk.NodeEffect")]
public sealed record NodeEffect(
    string Path,
    bool Exists,
    bool Created,
    Stat Stat,
    bool HasContent,
    byte[]? Data,
    AclList? Acl,
    IReadOnlyList<ChildChange>? Children);

/// <summary>A child name added to (or removed from) its parent's children.</summary>
[GenerateSerializer, Immutable, Alias("zk.ChildChange")]
public readonly record struct ChildChange(string Name, bool Added);

/// <summary>The effects of one txn on one partition: applied all together, at <paramref name="Zxid"/>.</summary>
[GenerateSerializer, Immutable, Alias("zk.TxnEffects")]
public sealed record TxnEffects(long Zxid, IReadOnlyList<NodeEffect> Nodes);

/// <summary>A node as a partition rebuilds it: content, stat and child names.</summary>
[GenerateSerializer, Immutable, Alias("zk.NodeImage")]
public sealed record NodeImage(string Path, byte[]? Data, AclList Acl, Stat Stat, IReadOnlyList<string> Children);
