using Orleans;

namespace OrleansZk.Core;

/// <summary>
/// A transaction: a prepared write with every non-deterministic value fixed (zxid, time, versions,
/// sequential names, session ids). Applying it reads no clock and no random source. Bodies carry
/// absolute post-values (new version, new parent cversion), so applying a txn twice changes nothing.
/// </summary>
/// <param name="Zxid">(epoch &lt;&lt; 32) | counter; every write, failed or not, consumes one.</param>
/// <param name="TimeMs">ms since the Unix epoch, fixed by the preparer.</param>
/// <param name="SessionId">The session that issued the request (0 = the service).</param>
/// <param name="Xid">The client's request id.</param>
public sealed record Txn(long Zxid, long TimeMs, long SessionId, int Xid, TxnBody Body);

/// <summary>What a transaction does.</summary>
public abstract record TxnBody;

/// <summary>
/// Creates <paramref name="Path"/>. <paramref name="EphemeralOwner"/> is the stored owner (session
/// id, <see cref="EphemeralOwners.Container"/>, a TTL encoding, or 0). <paramref name="ParentCversion"/>
/// is the parent's new count of child creations (ZooKeeper's persisted cversion).
/// </summary>
public sealed record CreateTxn(string Path, byte[]? Data, AclList Acl, long EphemeralOwner, int ParentCversion) : TxnBody;

public sealed record DeleteTxn(string Path) : TxnBody;

/// <summary>Sets data and the new <paramref name="Version"/>.</summary>
public sealed record SetDataTxn(string Path, byte[]? Data, int Version) : TxnBody;

/// <summary>Sets the ACL and the new <paramref name="Aversion"/>.</summary>
public sealed record SetAclTxn(string Path, AclList Acl, int Aversion) : TxnBody;

/// <summary>A passed version check (inside a multi); changes nothing.</summary>
public sealed record CheckTxn(string Path, int Version) : TxnBody;

/// <summary>A failed write: changes nothing but still consumes its zxid, as in ZooKeeper.</summary>
public sealed record ErrorTxn(ZkErrorCode Code) : TxnBody;

/// <summary>A multi: its ops, all applied at the txn's zxid, or (when any is an ErrorTxn) none.</summary>
public sealed record MultiTxn(IReadOnlyList<TxnBody> Ops) : TxnBody;

public sealed record CreateSessionTxn(long SessionId, int TimeoutMs, byte[] Password) : TxnBody;

/// <summary>Ends a session and deletes exactly <paramref name="PathsToDelete"/> (its ephemerals, fixed at preparation).</summary>
public sealed record CloseSessionTxn(long SessionId, IReadOnlyList<string> PathsToDelete) : TxnBody;

/// <summary>ZooKeeper's watch event types, with ZooKeeper's numbers, and one of ours.</summary>
public enum WatchEventType
{
    NodeCreated = 1,
    NodeDeleted = 2,
    NodeDataChanged = 3,
    NodeChildrenChanged = 4,

    /// <summary>Told by the client to a data (or exists) watcher that removeWatches removed.</summary>
    DataWatchRemoved = 5,

    /// <summary>Told by the client to a child watcher that removeWatches removed.</summary>
    ChildWatchRemoved = 6,

    /// <summary>Told by the client to a persistent or persistent-recursive watcher that removeWatches removed.</summary>
    PersistentWatchRemoved = 7,

    /// <summary>
    /// Not in ZooKeeper: a persistent (or recursive) watch was re-registered after a loss, and the
    /// service's change history no longer reached back to the client's last zxid, so some of the
    /// changes it missed cannot be replayed. The client should re-read what it watches.
    /// </summary>
    HistoryTrimmed = 100,
}

/// <summary>A change that fires watches: its type and the path whose watchers it concerns.</summary>
public readonly record struct WatchTrigger(WatchEventType Type, string Path);

/// <summary>The outcome of one op: its code, and for create the path, for create / setData / setACL the new stat.</summary>
[GenerateSerializer, Immutable, Alias("zk.OpResult")]
public readonly record struct OpResult(ZkErrorCode Code, string? Path = null, Stat? Stat = null);

/// <summary>The outcome of applying a txn: the result (per op for a multi) and the watch triggers, in order.</summary>
public sealed record ApplyResult(
    long Zxid,
    OpResult Result,
    IReadOnlyList<OpResult>? MultiResults,
    IReadOnlyList<WatchTrigger> Triggers)
{
    public ZkErrorCode Code => Result.Code;
}
