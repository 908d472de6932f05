using OrleansZk.Core;

namespace OrleansZk.Client;

/// <summary>How a <see cref="ZkClient"/> talks to the service.</summary>
public sealed class ZkClientOptions
{
    /// <summary>The replica that opens the session (and names the replica that takes its writes).</summary>
    public long ReplicaId { get; set; } = 1;

    /// <summary>The session timeout to ask for, in milliseconds; the service negotiates it into its bounds.</summary>
    public int SessionTimeoutMs { get; set; } = 30_000;

    /// <summary>
    /// How long one call may take, from issue to reply (including any wait behind this client's
    /// earlier writes). A call not answered by then fails with <see cref="ConnectionLossException"/>;
    /// a write that timed out may still take effect.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Where a <see cref="ZkClient"/>'s session stands.</summary>
public enum ZkClientState
{
    /// <summary>No session yet (or opening one failed; the next call tries again).</summary>
    NotConnected,

    /// <summary>The session is open.</summary>
    Connected,

    /// <summary>Closed by <see cref="ZkClient.CloseAsync"/>; every later call fails with <see cref="ConnectionLossException"/>.</summary>
    Closed,

    /// <summary>The service expired the session (no heartbeat within its timeout); its ephemerals are gone and every later call fails with <see cref="SessionExpiredException"/>.</summary>
    Expired,
}

/// <summary>What a create made: the node's actual path (with its sequence suffix, if any) and its stat.</summary>
public sealed record CreateResult(string Path, Stat Stat);
