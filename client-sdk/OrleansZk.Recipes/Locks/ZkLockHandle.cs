namespace OrleansZk.Recipes.Locks;

/// <summary>
/// Something held on a session — a lock, a semaphore lease, a leadership — with its fencing token
/// and its Lost signal.
/// </summary>
public interface IZkLease
{
    /// <summary>
    /// The fencing token: the zxid at which the holder's node was created. Strictly greater than the
    /// token of every earlier holder of the same lock (or leadership), across sessions, leader
    /// changes and service restarts. Pass it with every write to a resource the holding guards
    /// (<see cref="FencedResource"/>).
    /// </summary>
    long Token { get; }

    /// <summary>
    /// Cancelled once, when the holding is lost or released: the session's confirmation is older
    /// than the safe bound (<see cref="ZkSessionSource.SafeBoundFraction"/>), the session expired or
    /// the client closed. It fires before anyone else can take the holding over — provided this
    /// process runs; a process that was frozen sees it when it resumes, and <see cref="IsLost"/>
    /// checks the bound synchronously. The token is still needed: a write already on its way when
    /// the signal fires is stopped only by the resource's fencing check.
    /// </summary>
    CancellationToken Lost { get; }

    /// <summary>Lost now (checked against the clock, not only the signal).</summary>
    bool IsLost { get; }

    /// <summary>Maybe lost: the client is suspended and the session has not been confirmed since. Work should pause; <see cref="Lost"/> follows unless it reconnects within the bound.</summary>
    bool IsSuspended { get; }

    /// <summary>Why it was lost (null while held).</summary>
    string? LostReason { get; }
}

/// <summary>A holding was lost (or released) before the act that needed it.</summary>
public sealed class LeaseLostException(string message) : InvalidOperationException(message);

/// <summary>
/// One acquisition of a <see cref="ZkMutex"/> (or of a read-write lock's half): dispose it
/// (<c>await using</c>) to release. Re-entrant acquisitions by the same owner get handles of their
/// own with the same node and token; the node is deleted when the last of them is disposed.
/// </summary>
public sealed class ZkLockHandle : IZkLease, IAsyncDisposable
{
    private readonly ZkMutex _owner;
    private int _disposed;

    internal ZkLockHandle(ZkMutex owner, ZkMutex.Acquisition acquisition)
    {
        _owner = owner;
        Acquisition = acquisition;
    }

    internal ZkMutex.Acquisition Acquisition { get; }

    /// <summary>The lock node this holding stands on.</summary>
    public string Path => Acquisition.Path;

    /// <inheritdoc/>
    public long Token => Acquisition.Token;

    /// <inheritdoc/>
    public CancellationToken Lost => Acquisition.Holding.Lost;

    /// <inheritdoc/>
    public bool IsLost => Acquisition.Holding.IsLost;

    /// <inheritdoc/>
    public bool IsSuspended => Acquisition.Holding.Suspended;

    /// <inheritdoc/>
    public string? LostReason => Acquisition.Holding.Reason;

    /// <summary>Throws <see cref="LeaseLostException"/> if the lock is lost (checked against the clock).</summary>
    public void ThrowIfLost()
    {
        if (IsLost) throw new LeaseLostException($"lock {Path} (token {Token}) was lost: {LostReason}");
    }

    /// <summary>Releases this acquisition (idempotent); the last one of the owner deletes the node, across connection losses.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _owner.ReleaseAsync(this).ConfigureAwait(false);
    }
}
