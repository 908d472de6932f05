using OrleansZk.Core;

namespace OrleansZk.Client;

/// <summary>How a <see cref="ZkClient"/> talks to the service.</summary>
public sealed class ZkClientOptions
{
    /// <summary>The Orleans cluster id of the service (its silos' <c>OrleansZk:ClusterId</c>).</summary>
    public string ClusterId { get; set; } = ZkDefaults.ClusterId;

    /// <summary>The Orleans service id of the service (its silos' <c>OrleansZk:ServiceId</c>).</summary>
    public string ServiceId { get; set; } = ZkDefaults.ServiceId;

    /// <summary>
    /// The replica to try first for the session (0, the default: ask the service which replica
    /// leads). The leader takes every write; a client follows it across leader changes by itself.
    /// </summary>
    public long ReplicaId { get; set; }

    /// <summary>
    /// The consistency of reads that do not say (<see cref="Client.ReadConsistency.Default"/>):
    /// <see cref="Client.ReadConsistency.Sequential"/> (ZooKeeper's: never older than what this
    /// client has seen) or <see cref="Client.ReadConsistency.Linearizable"/> (beyond ZooKeeper:
    /// every write acknowledged to anyone before the read began is seen, at the cost of a round
    /// trip through the leader and its quorum).
    /// </summary>
    public ReadConsistency ReadConsistency { get; set; } = ReadConsistency.Sequential;

    /// <summary>
    /// The session timeout to ask for, in milliseconds; the service negotiates it into its bounds.
    /// Ignored when resuming a session (<see cref="SessionId"/>): that keeps the timeout it was granted.
    /// </summary>
    public int SessionTimeoutMs { get; set; } = 30_000;

    /// <summary>
    /// How long one call may take, from issue to reply (including any wait behind this client's
    /// earlier writes). A call not answered by then fails with <see cref="ConnectionLossException"/>;
    /// a write that timed out may still take effect.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// An open session to resume instead of creating one (0 = create a new session): the
    /// <see cref="ZkClient.SessionId"/> of another client, even in another process, with
    /// <see cref="SessionPassword"/>. The client then owns the session and its ephemerals; if the
    /// session has expired or been closed, or the password does not match, opening it fails with
    /// <see cref="SessionExpiredException"/> and the client is <see cref="ZkClientState.Expired"/>.
    /// Only one client should use a session at a time: the one that gave it up should be discarded
    /// (not closed, which would end the session), since the service orders a session's writes by
    /// per-client request numbers.
    /// </summary>
    public long SessionId { get; set; }

    /// <summary>The password of the session in <see cref="SessionId"/> (<see cref="ZkClient.SessionPassword"/> of its first client).</summary>
    public byte[]? SessionPassword { get; set; }

    /// <summary>
    /// The highest zxid the application has already seen (0: none) — when a session moves to this
    /// client from another (a ZooKeeper client's <c>lastZxidSeen</c> on reconnect): no read of this
    /// client returns state older than it.
    /// </summary>
    public long LastZxidSeen { get; set; }

    /// <summary>
    /// The client's network address (IPv4 or IPv6), as a front end that accepted its connection
    /// verified it: the session proves it as its <c>ip</c> identity when it opens and after every
    /// reconnect, so ip ACLs match it. For such front ends only (the ZooKeeper client port sets it);
    /// null, the default, leaves the session without an address (no ip ACL matches it).
    /// </summary>
    public string? ClientAddress { get; set; }
}

/// <summary>How fresh a read must be.</summary>
public enum ReadConsistency
{
    /// <summary>As the client's <see cref="ZkClientOptions.ReadConsistency"/> says.</summary>
    Default = 0,

    /// <summary>
    /// ZooKeeper's guarantee: from the partition holding the node, never older than anything this
    /// client has seen (its writes included); it may miss a write another client just made (call
    /// <see cref="ZkClient.SyncAsync"/> first, as with ZooKeeper, or read linearizably).
    /// </summary>
    Sequential = 1,

    /// <summary>
    /// Linearizable: the leader first confirms with a quorum that it still leads and names the zxid it
    /// has applied; the read is then answered at or above it, so it sees every write acknowledged to
    /// any client before the read began. Costs that round trip; fails with ConnectionLoss during an election.
    /// </summary>
    Linearizable = 2,
}

/// <summary>
/// Where a <see cref="ZkClient"/>'s session and its connection stand (Curator's connection states).
/// <see cref="ZkClient.ConnectionStateChanged"/> reports every change. The values are part of the
/// contract and never renumbered.
/// </summary>
public enum ZkClientState
{
    /// <summary>No session yet (or opening one failed; the next call tries again).</summary>
    NotConnected = 0,

    /// <summary>The session is open (created or resumed) and the service reachable.</summary>
    Connected = 1,

    /// <summary>
    /// Closed by <see cref="ZkClient.CloseAsync"/>: the session is ended and every later call fails
    /// with <see cref="SessionExpiredException"/> ("client closed"), as ZooKeeper's client. Final.
    /// </summary>
    Closed = 2,

    /// <summary>
    /// The service said the session is gone (it expired for want of heartbeats, or was closed by a
    /// client that resumed it): its ephemerals are deleted, and every call outstanding or made later
    /// fails with <see cref="SessionExpiredException"/>. Final: make a new client. (Curator's LOST;
    /// decided by the service only, never by the client's own clock, since a restarted service
    /// gives every session a fresh timeout.)
    /// </summary>
    Expired = 3,

    /// <summary>
    /// Contact lost while the session was open: a gateway connection dropped, a ping failed, or no
    /// reply came for two thirds of the session timeout. Every call outstanding at that moment
    /// failed with <see cref="ConnectionLossException"/> (its outcome is unknown); calls made now
    /// are sent as usual and fail the same way at the next failed probe. The client probes the
    /// replica a fortieth of the timeout (at most 250 ms) after each probe and moves to
    /// <see cref="Reconnected"/> or <see cref="Expired"/>. The session and its ephemerals live on
    /// at the service meanwhile, until its timeout.
    /// </summary>
    Suspended = 4,

    /// <summary>Contact regained after <see cref="Suspended"/>, with the same session (and its ephemerals) still open.</summary>
    Reconnected = 5,

    /// <summary>
    /// The service refused an addauth (<see cref="ZkClient.AddAuthAsync"/> threw). Unlike
    /// ZooKeeper, which drops the connection, the session carries on, usable, with the identities
    /// it had; the state stays until the next connection change.
    /// </summary>
    AuthFailed = 6,
}

/// <summary>Helpers on <see cref="ZkClientState"/>.</summary>
public static class ZkClientStates
{
    /// <summary>Whether calls can reach the session now: <see cref="ZkClientState.Connected"/>, <see cref="ZkClientState.Reconnected"/> or <see cref="ZkClientState.AuthFailed"/> (Curator's isConnected).</summary>
    public static bool IsConnected(this ZkClientState state) =>
        state is ZkClientState.Connected or ZkClientState.Reconnected or ZkClientState.AuthFailed;

    /// <summary>Whether the client is done for good: <see cref="ZkClientState.Closed"/> or <see cref="ZkClientState.Expired"/>.</summary>
    public static bool IsFinal(this ZkClientState state) => state is ZkClientState.Closed or ZkClientState.Expired;
}

/// <summary>A change of <see cref="ZkClient.State"/>, as <see cref="ZkClient.ConnectionStateChanged"/> reports it.</summary>
public sealed class ZkConnectionStateChangedEventArgs(ZkClientState state, ZkClientState previousState, long sessionId) : EventArgs
{
    /// <summary>The state the client is now in.</summary>
    public ZkClientState State { get; } = state;

    /// <summary>The state it left (the <see cref="State"/> of the previous event, or <see cref="ZkClientState.NotConnected"/> for the first).</summary>
    public ZkClientState PreviousState { get; } = previousState;

    /// <summary>The session's id (0 while none was ever open, e.g. when resuming one failed).</summary>
    public long SessionId { get; } = sessionId;

    /// <inheritdoc/>
    public override string ToString() => $"{PreviousState} -> {State}";
}

/// <summary>What a create made: the node's actual path (with its sequence suffix, if any) and its stat.</summary>
public sealed record CreateResult(string Path, Stat Stat);
