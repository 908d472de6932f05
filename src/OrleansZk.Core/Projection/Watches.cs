using Orleans;

namespace OrleansZk.Core;

/// <summary>ZooKeeper's <c>AddWatchMode</c>, with ZooKeeper's numbers: the kinds of watch addWatch sets.</summary>
[GenerateSerializer, Alias("zk.AddWatchMode")]
public enum AddWatchMode
{
    /// <summary>Fires (and stays) for the node's NodeCreated, NodeDeleted, NodeDataChanged and NodeChildrenChanged.</summary>
    Persistent = 0,

    /// <summary>Fires (and stays) for NodeCreated, NodeDeleted, NodeDataChanged of the node and every node below it; never NodeChildrenChanged.</summary>
    PersistentRecursive = 1,
}

/// <summary>ZooKeeper's <c>Watcher.WatcherType</c>, with ZooKeeper's numbers: which watches removeWatches removes.</summary>
[GenerateSerializer, Alias("zk.WatcherType")]
public enum WatcherType
{
    /// <summary>One-shot child watches (getChildren).</summary>
    Children = 1,

    /// <summary>One-shot data watches (getData and exists).</summary>
    Data = 2,

    /// <summary>Every watch of the session on the path, of any kind (persistent and recursive included).</summary>
    Any = 3,

    /// <summary>Persistent watches (addWatch, Persistent).</summary>
    Persistent = 4,

    /// <summary>Persistent recursive watches (addWatch, PersistentRecursive).</summary>
    PersistentRecursive = 5,
}

/// <summary>
/// A watch that fired: session <paramref name="SessionId"/> gets a <paramref name="Type"/> event for
/// <paramref name="Path"/>, caused by the txn at <paramref name="Zxid"/>; <paramref name="Order"/> is the
/// trigger's place in that txn (<see cref="EffectTrigger.Order"/>), so a multi's events can be put back
/// in op order across partitions.
/// </summary>
[GenerateSerializer, Immutable, Alias("zk.FiredWatch")]
public readonly record struct FiredWatch(long SessionId, WatchEventType Type, string Path, long Zxid, int Order);

/// <summary>A watch to re-register: its path, and the zxid of the state it was set at (nothing at or before it fires it).</summary>
[GenerateSerializer, Immutable, Alias("zk.WatchPath")]
public readonly record struct WatchPath(string Path, long Since);

/// <summary>
/// The watches a client re-registers after a reconnect or a lost event stream (ZooKeeper's
/// <c>SetWatches</c>, with persistent and recursive watches as its 3.6 <c>SetWatches2</c>): one-shot
/// data watches (getData), exists watches on nodes that did not exist, one-shot child watches, and
/// persistent and persistent-recursive watches.
/// </summary>
[GenerateSerializer, Immutable, Alias("zk.WatchSet")]
public sealed record WatchSet(
    IReadOnlyList<WatchPath> Data,
    IReadOnlyList<WatchPath> Exist,
    IReadOnlyList<WatchPath> Child,
    IReadOnlyList<WatchPath> Persistent,
    IReadOnlyList<WatchPath> Recursive)
{
    public static readonly WatchSet Empty = new([], [], [], [], []);

    public bool IsEmpty => Data.Count == 0 && Exist.Count == 0 && Child.Count == 0 && Persistent.Count == 0 && Recursive.Count == 0;

    /// <summary>The part of this set that partition <paramref name="partition"/> of <paramref name="partitions"/> holds: every watch whose path hashes to it, and every recursive watch (those live in every partition).</summary>
    public WatchSet For(int partition, int partitions)
    {
        bool Mine(WatchPath w) => PathHash.PartitionOf(w.Path, partitions) == partition;
        return new WatchSet([.. Data.Where(Mine)], [.. Exist.Where(Mine)], [.. Child.Where(Mine)], [.. Persistent.Where(Mine)], Recursive);
    }
}
