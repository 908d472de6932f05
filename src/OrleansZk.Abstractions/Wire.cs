using Orleans;
using OrleansZk.Core;

namespace OrleansZk;

/// <summary>What a client needs to know about the service, learnt when it opens a session.</summary>
/// <param name="ReplicaId">The replica that takes this client's writes (the leader when the session opened).</param>
/// <param name="Partitions">How many partition grains hold the tree (a power of two): the client routes reads with <see cref="PathHash"/>.</param>
/// <param name="MaxDataBytes">The largest data a node may hold.</param>
/// <param name="Epoch">The leader's epoch (the event epoch of the replies).</param>
[GenerateSerializer, Immutable, Alias("zk.ServiceInfo")]
public sealed record ServiceInfo(long ReplicaId, int Partitions, int MaxDataBytes, long Epoch = 0);

/// <summary>An open session: id and password (to resume it), negotiated timeout, and the zxid of its creation.</summary>
[GenerateSerializer, Immutable, Alias("zk.SessionInfo")]
public sealed record SessionInfo(long SessionId, byte[] Password, int TimeoutMs, long Zxid, ServiceInfo Service);

/// <summary>
/// A write's outcome. <paramref name="Code"/> is Ok or ZooKeeper's error; <paramref name="Zxid"/>
/// the zxid the write took (0 when it was refused before getting one, e.g. too large), which the
/// client folds into its last seen zxid; <paramref name="Result"/> the op's result (path, stat);
/// <paramref name="MultiResults"/> one result per op of a multi.
/// <paramref name="EventSeq"/> and <paramref name="EventZxid"/> order the reply with the session's
/// watch events (docs/watches.md): every event of this session caused by a txn at or below
/// <paramref name="EventZxid"/> has been sent to the session's client, with seqs through
/// <paramref name="EventSeq"/> (0: none yet). The SDK hands the reply over only once it has delivered
/// the session's events through <paramref name="EventSeq"/>. Seqs are numbered by one leadership,
/// <paramref name="EventEpoch"/> (the leader's epoch: a new leader numbers afresh).
/// </summary>
[GenerateSerializer, Immutable, Alias("zk.WriteReply")]
public sealed record WriteReply(
    ZkErrorCode Code,
    long Zxid,
    OpResult Result,
    IReadOnlyList<OpResult>? MultiResults,
    string? ErrorPath,
    string? Detail,
    long EventSeq = 0,
    long EventZxid = 0,
    long EventEpoch = 0);

/// <summary>What a partition read asks.</summary>
[GenerateSerializer, Alias("zk.ReadKind")]
public enum ReadKind
{
    GetData,
    Exists,
    GetChildren,
    GetAcl,
    GetAllChildrenNumber,

    /// <summary>One page of getChildren (beyond ZooKeeper): <see cref="ReadCall.PageSize"/> names after <see cref="ReadCall.After"/>.</summary>
    GetChildrenPage,
}

/// <summary>
/// A read sent to a partition. <paramref name="MinZxid"/> is the client's last seen zxid: the
/// partition answers from state at least that new (README.md, guarantee 3: monotonic reads).
/// <paramref name="AuthVersion"/> counts the session's addauths, so the partition knows when its
/// cached copy of the session's identities is stale. <paramref name="Watch"/> sets a one-shot watch for
/// the session, as ZooKeeper's watch flag: getData a data watch and getChildren a child watch when the
/// read succeeds; exists a data watch whether or not the node exists (on a missing node it fires on
/// NodeCreated); ignored by the other kinds. <paramref name="PageSize"/> and <paramref name="After"/>:
/// for <see cref="ReadKind.GetChildrenPage"/> only (<see cref="GetChildrenPageRequest"/>); its watch is
/// a child watch, as getChildren's.
/// </summary>
[GenerateSerializer, Immutable, Alias("zk.ReadCall")]
public sealed record ReadCall(ReadKind Kind, string Path, long SessionId, int AuthVersion, long MinZxid, bool Watch = false, int PageSize = 0, string? After = null);

/// <summary>
/// A read's answer: Ok with the fields the kind fills in, or ZooKeeper's error code. <paramref name="Zxid"/>
/// is the partition's watermark when it answered (everything through it is reflected); the client
/// folds it into its last seen zxid. <paramref name="FiredZxid"/>: the last zxid at which this partition
/// fired a watch of the reading session (0: none), so the SDK can hand the reply over only after
/// that event (ZooKeeper's "event before the data that reflects it"). <paramref name="Continuation"/>:
/// a page's last name when more children follow (<see cref="ReadKind.GetChildrenPage"/>).
/// </summary>
[GenerateSerializer, Alias("zk.ReadReply")]
public sealed record ReadReply(
    ZkErrorCode Code,
    long Zxid,
    byte[]? Data = null,
    Stat? Stat = null,
    IReadOnlyList<string>? Children = null,
    AclList? Acl = null,
    int Count = 0,
    string? ErrorPath = null,
    string? Detail = null,
    long FiredZxid = 0,
    string? Continuation = null);

/// <summary>
/// The identities a session has proven (by addauth), for ACL checks at partitions, and
/// <paramref name="Address"/>, the client's network address when a front end that accepted its
/// connection verified it (the ZooKeeper client port; null for SDK clients): ip ACLs match it.
/// </summary>
[GenerateSerializer, Immutable, Alias("zk.SessionAuth")]
public sealed record SessionAuth(int Version, IReadOnlyList<ZkId> Ids, string? Address = null);

/// <summary>
/// Effects for one partition, in zxid order, from leader <paramref name="LeaderId"/> of
/// <paramref name="Epoch"/>. <paramref name="PrevZxid"/> is the zxid of the last txn that touched
/// this partition before these (or an upper bound of it, where the leader does not know exactly): a
/// partition not complete through it has missed a delivery and must catch up before applying these
/// (gap detection). <paramref name="Watermark"/>: the leader had applied everything through it when
/// it sent these, so the partition is complete through it once they are applied.
/// </summary>
[GenerateSerializer, Immutable, Alias("zk.PartitionDelivery")]
public sealed record PartitionDelivery(long LeaderId, long Epoch, long PrevZxid, long Watermark, IReadOnlyList<TxnEffects> Txns);

/// <summary>
/// A partition's whole content from a replica's tree as of <paramref name="Watermark"/>;
/// <paramref name="LastTouched"/> is the last zxid that touched this partition (an upper bound),
/// <paramref name="ReplicaId"/> and <paramref name="Epoch"/> the replica and the leader epoch it came from.
/// </summary>
[GenerateSerializer, Immutable, Alias("zk.PartitionImage")]
public sealed record PartitionImage(long ReplicaId, long Epoch, long Watermark, long LastTouched, IReadOnlyList<NodeImage> Nodes);

/// <summary>Where the leader stands for one partition: the last zxid that touched it, and everything applied.</summary>
[GenerateSerializer, Immutable, Alias("zk.PartitionWatermark")]
public sealed record PartitionWatermark(long Epoch, long LastTouched, long Watermark);

/// <summary>A leader's word to a partition: everything through <paramref name="Zxid"/> is applied, and the last of it that touched the partition is <paramref name="LastTouched"/>.</summary>
[GenerateSerializer, Immutable, Alias("zk.PartitionMark")]
public sealed record PartitionMark(long LeaderId, long Epoch, long LastTouched, long Zxid);

/// <summary>Where a partition stands: <paramref name="Loaded"/> false when it holds nothing yet; else complete through <paramref name="Watermark"/>, last fed by a leader of <paramref name="Epoch"/>.</summary>
[GenerateSerializer, Immutable, Alias("zk.PartitionPosition")]
public sealed record PartitionPosition(bool Loaded, long Watermark, long Epoch);

/// <summary>One watch event, as it is pushed to the session's client: the session's <paramref name="Seq"/> (1, 2, 3, ... with no gaps), what happened to which path, and the txn that caused it.</summary>
[GenerateSerializer, Immutable, Alias("zk.WatchEvent")]
public sealed record WatchEvent(long Seq, WatchEventType Type, string Path, long Zxid);

/// <summary>
/// One message of a session's watch events, pushed to its client's <see cref="IZkWatchObserver"/>: the
/// session's events of one or more leader batches, in zxid order (a multi's in op order),
/// with contiguous seqs following the previous message's. <paramref name="ThroughZxid"/>: every event
/// of the session caused by a txn at or below it has now been published. <paramref name="Epoch"/> names
/// the leadership that numbered them (the leader's ZAB epoch: a new leader numbers afresh from 1).
/// </summary>
[GenerateSerializer, Immutable, Alias("zk.WatchEvents")]
public sealed record WatchEvents(long SessionId, long Epoch, IReadOnlyList<WatchEvent> Events, long ThroughZxid);

/// <summary>
/// A heartbeat's answer: Ok or SessionExpired, and where the session's watch events stand: every
/// event of the session caused through <paramref name="EventZxid"/> is numbered, through
/// <paramref name="EventSeq"/>, by the leadership of epoch <paramref name="EventEpoch"/>. A client that has
/// not received them by its next ping knows they were lost; one that has knows it has every event
/// through <paramref name="EventZxid"/>. <paramref name="RegistrationLosses"/> counts the partition
/// activations that replaced an earlier one (losing its watch registrations) under this leader: a client
/// with watches that sees it grow re-registers.
/// </summary>
[GenerateSerializer, Immutable, Alias("zk.PingReply")]
public sealed record PingReply(ZkErrorCode Code, long EventEpoch, long EventSeq, long EventZxid, long RegistrationLosses = 0);

/// <summary>
/// The answer to a re-registration (<see cref="IZkReplicaGrain.SetWatches"/>): the events it fired
/// at once (<paramref name="Replayed"/>, in zxid order, Seq 0: they are not pushed), and the
/// point from which pushed messages carry the rest: every later event of the session has a seq above
/// <paramref name="EventSeq"/> in epoch <paramref name="EventEpoch"/>, and is caused by a txn above
/// <paramref name="Zxid"/>, the state the watches were re-registered at. <paramref name="RegistrationLosses"/>
/// as in <see cref="PingReply"/>, at that point.
/// </summary>
[GenerateSerializer, Immutable, Alias("zk.WatchesReply")]
public sealed record WatchesReply(ZkErrorCode Code, long EventEpoch, long EventSeq, long Zxid, IReadOnlyList<WatchEvent> Replayed, string? Detail = null, long RegistrationLosses = 0);
