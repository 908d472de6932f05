using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.Recipes.Locks;

/// <summary>
/// A distributed counting semaphore (Curator's InterProcessSemaphoreV2): at most
/// <see cref="MaxLeases"/> leases held at once across all clients. Leases are ephemeral: a holder
/// whose session ends gives its lease back.
/// </summary>
/// <remarks>
/// Acquirers take turns through a mutex (<c>{path}/locks</c>); only the one whose turn it is
/// watches the leases (<c>{path}/leases/_c_{guid}-lease-{seq}</c>), so a release wakes one client,
/// not all. Each lease has a fencing token (its node's zxid) and a Lost signal, as a lock. Every
/// participant must use the same <see cref="MaxLeases"/> (as in Curator, it is not stored).
/// </remarks>
public sealed class ZkSemaphore
{
    private readonly ZkSessionSource _source;
    private readonly ZkMutex _turns;
    private readonly string _leases;

    /// <summary>A semaphore of <paramref name="maxLeases"/> leases on the directory <paramref name="path"/>.</summary>
    /// <exception cref="BadArgumentsException">An invalid path.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLeases"/> is less than 1.</exception>
    public ZkSemaphore(ZkSessionSource source, string path, int maxLeases)
    {
        _source = source ?? throw new ArgumentNullException(nameof(source));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLeases, 1);
        ZkPaths.Validate(path, "semaphore path");
        MaxLeases = maxLeases;
        _turns = new ZkMutex(source, ZkPaths.Join(path, "locks"));
        _leases = ZkPaths.Join(path, "leases");
    }

    /// <summary>How many leases may be held at once.</summary>
    public int MaxLeases { get; }

    /// <summary>Waits for a lease with no deadline.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled (nothing is left behind).</exception>
    public async Task<ZkLeaseHandle> AcquireAsync(CancellationToken ct = default) => (await AcquireCoreAsync(null, ct).ConfigureAwait(false))!;

    /// <summary>Waits for a lease for at most <paramref name="timeout"/>; null when none was free in time.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative timeout (other than <see cref="Timeout.InfiniteTimeSpan"/>).</exception>
    public Task<ZkLeaseHandle?> TryAcquireAsync(TimeSpan timeout, CancellationToken ct = default) => AcquireCoreAsync(Deadline.After(timeout), ct);

    /// <summary>The lease nodes held now.</summary>
    public Task<IReadOnlyList<string>> GetLeaseNodesAsync(CancellationToken ct = default) =>
        Retry.UntilDoneAsync<IReadOnlyList<string>>(_source, async zk =>
        {
            try
            {
                return LockQueue.Sorted(await zk.GetChildrenAsync(_leases, ct).ConfigureAwait(false)).Select(c => ZkPaths.Join(_leases, c)).ToList();
            }
            catch (NoNodeException)
            {
                return [];
            }
        }, ct);

    private async Task<ZkLeaseHandle?> AcquireCoreAsync(long? deadlineMs, CancellationToken ct)
    {
        var turn = await _turns.TryAcquireAsync(Deadline.Left(deadlineMs), ct).ConfigureAwait(false);
        if (turn == null) return null;
        await using (turn.ConfigureAwait(false))
        {
            var client = await _source.ConnectedClientAsync(ct).ConfigureAwait(false);
            var lease = SessionLease.Of(client, _source);
            var interest = lease.Interest();
            var id = ProtectedCreate.NewId();
            CreateResult? node = null;
            try
            {
                node = await ProtectedCreate.CreateAsync(_source, ZkPaths.Join(_leases, "lease-"), null, CreateMode.EphemeralSequential, id, ct: ct).ConfigureAwait(false);
                if (!await WaitForRoomAsync(client, deadlineMs, ct).ConfigureAwait(false)) return null;
                var handle = new ZkLeaseHandle(_source, node.Path, node.Stat.Czxid, lease.Hold($"lease {node.Path}"), interest);
                node = null;
                interest = null;
                return handle;
            }
            finally
            {
                interest?.Dispose();
                if (node != null || interest != null) await Retry.DeleteProtectedQuietlyAsync(_source, _leases, id).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Waits (holding the turn) until at most <see cref="MaxLeases"/> lease nodes exist, this one included.</summary>
    private async Task<bool> WaitForRoomAsync(ZkClient client, long? deadlineMs, CancellationToken ct)
    {
        while (true)
        {
            var wait = new WatchWait();
            try
            {
                if ((await client.GetChildrenAsync(_leases, wait.Watcher, ct).ConfigureAwait(false)).Count <= MaxLeases) return true;
                if (deadlineMs is { } d && SessionLease.NowMs >= d) return false;
                await wait.WaitAsync(_source, client, deadlineMs, ct).ConfigureAwait(false);
            }
            catch (ConnectionLossException)
            {
                await _source.ConnectedClientAsync(ct).ConfigureAwait(false);
            }
        }
    }
}

/// <summary>One semaphore lease: dispose it to give it back.</summary>
public sealed class ZkLeaseHandle : IZkLease, IAsyncDisposable
{
    private readonly ZkSessionSource _source;
    private readonly Holding _holding;
    private readonly IDisposable _interest;
    private int _disposed;

    internal ZkLeaseHandle(ZkSessionSource source, string path, long token, Holding holding, IDisposable interest)
    {
        _source = source;
        Path = path;
        Token = token;
        _holding = holding;
        _interest = interest;
    }

    /// <summary>The lease node.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public long Token { get; }

    /// <inheritdoc/>
    public CancellationToken Lost => _holding.Lost;

    /// <inheritdoc/>
    public bool IsLost => _holding.IsLost;

    /// <inheritdoc/>
    public bool IsSuspended => _holding.Suspended;

    /// <inheritdoc/>
    public string? LostReason => _holding.Reason;

    /// <summary>Gives the lease back (idempotent): deletes its node, across connection losses.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _holding.Dispose();
        try
        {
            await Retry.DeleteQuietlyAsync(_source, Path).ConfigureAwait(false);
        }
        finally
        {
            _interest.Dispose();
        }
    }
}
