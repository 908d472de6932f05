namespace OrleansZk.Zab;

/// <summary>
/// One batch of work the host must carry out, in this order (etcd raft's <c>Ready</c>):
/// <list type="number">
/// <item>Send <see cref="Proposals"/> at once, before anything of this Ready is durable.</item>
/// <item>If <see cref="Snapshot"/> is set: install it into the state machine and make it durable.</item>
/// <item>Persist <see cref="LogWrites"/> in order, then <see cref="HardState"/>, and fsync
/// (<see cref="ReadyPersistence.Persist"/>); the hard state must not become durable before the
/// log writes. Nothing below may happen before all of it is durable.</item>
/// <item>Send <see cref="Messages"/> (any order; the transport may drop, delay, duplicate, reorder).</item>
/// <item>Apply <see cref="Committed"/> to the state machine, in order.</item>
/// <item>Call <see cref="ZabPeer.Advance"/>.</item>
/// </list>
/// A host may take the next Ready before this one is done, as long as it executes them in this
/// order one after another (<see cref="ZabDriver"/>).
/// </summary>
public sealed class Ready
{
    /// <summary>New epochs to persist, or null if unchanged.</summary>
    public HardState? HardState { get; init; }
    /// <summary>A snapshot received from the leader (SNAP) to install before the log writes.</summary>
    public ZabSnapshot? Snapshot { get; init; }
    /// <summary>Log writes to perform in order.</summary>
    public IReadOnlyList<LogWrite> LogWrites { get; init; } = [];
    /// <summary>Messages to send once the writes above are durable.</summary>
    public IReadOnlyList<ZabMessage> Messages { get; init; } = [];
    /// <summary>
    /// The leader's PROPOSALs, which may leave as soon as the Ready is taken, while the leader's own
    /// copy of their txns is still being written (Raft thesis §10.2.1; etcd's leader does the same):
    /// its fsync and the followers' then overlap. Safe because nothing that says a txn is committed
    /// leaves early: followers acknowledge only what they made durable, and the COMMITs, UPTODATEs,
    /// PINGs and applies that follow from a commit are in a later Ready, which the host executes
    /// only after this one's writes are durable — so by then the leader's copy counts. A leader that
    /// crashes first has proposed txns that nobody was told are committed; the next election keeps
    /// or drops them as any uncommitted proposal. Sent in the order the Readies are taken.
    /// </summary>
    public IReadOnlyList<ZabMessage> Proposals { get; init; } = [];
    /// <summary>Newly committed txns, in zxid order, to apply after persisting.</summary>
    public IReadOnlyList<LogEntry> Committed { get; init; } = [];
    /// <summary>Leadership checks (<see cref="ZabPeer.RequestLeadershipCheck"/>) with tokens up to
    /// this one are confirmed (0: no news). Act on it after the applies above.</summary>
    public long LeadershipConfirmed { get; init; }
}
