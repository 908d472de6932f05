namespace OrleansZk.Zab;

/// <summary>
/// A transaction as the engine sees it: a zxid and an opaque payload. The engine never looks
/// inside the payload (the service layer puts serialized DataTree txns there).
/// </summary>
public sealed record LogEntry(long Zxid, byte[] Payload);

/// <summary>
/// A state-machine snapshot: opaque bytes that cover every committed txn up to and including
/// <see cref="Zxid"/>, and nothing after it.
/// </summary>
public sealed record ZabSnapshot(long Zxid, byte[] Data);

/// <summary>
/// The epochs a replica must never forget. <see cref="AcceptedEpoch"/> is the newest epoch it
/// promised to a prospective leader in discovery (NEWEPOCH); <see cref="CurrentEpoch"/> is the
/// epoch of the newest leader whose history it adopted (NEWLEADER). Always
/// <c>CurrentEpoch &lt;= AcceptedEpoch</c>; neither ever decreases.
/// </summary>
public readonly record struct HardState(long CurrentEpoch, long AcceptedEpoch);

/// <summary>The replica's role as announced in election notifications (ZooKeeper's ServerState).</summary>
public enum PeerState { Looking, Following, Leading }

/// <summary>The ZAB phase the replica is in (ZooKeeper's ZabState).</summary>
public enum ZabPhase { Election, Discovery, Synchronization, Broadcast }

/// <summary>What happened to a <see cref="ZabPeer.Propose"/> call.</summary>
public enum ProposeStatus
{
    /// <summary>This replica is the established leader; the txn got <see cref="ProposeResult.Zxid"/>.</summary>
    Proposed,
    /// <summary>This replica follows <see cref="ProposeResult.LeaderId"/>; the request was sent there
    /// in this step's <see cref="Ready.Messages"/>. Delivery is not guaranteed (the transport may drop
    /// it): the caller learns the outcome from the committed stream or times out and retries.</summary>
    Forwarded,
    /// <summary>No established leader is known (looking, or leader not yet established):
    /// <see cref="ProposeResult.LeaderId"/> names the prospective leader if any. Retry later.</summary>
    NotLeader,
}

/// <summary>Outcome of <see cref="ZabPeer.Propose"/>.</summary>
public readonly record struct ProposeResult(ProposeStatus Status, long Zxid, int? LeaderId);

/// <summary>A read-only view of a replica's protocol state, for hosts, tests and checkers.</summary>
/// <param name="RoleVersion">Counts role changes (a new role object each time, even Leading → Leading
/// through an election): a host that sees it move knows its previous role's state is void.</param>
/// <param name="SyncedFollowers">A leader's followers in sync with it (empty otherwise).</param>
/// <param name="SyncPlans">How many DIFF, TRUNC and SNAP plans this replica has sent as leader (indexed by <see cref="SyncKind"/>).</param>
public readonly record struct PeerStatus(
    int Id, PeerState State, ZabPhase Phase, int? LeaderId, long SessionEpoch, bool Established,
    HardState Hard, long LastZxid, long CommittedZxid, long Round,
    long RoleVersion = 0, IReadOnlyList<int>? SyncedFollowers = null, IReadOnlyList<long>? SyncPlans = null);
