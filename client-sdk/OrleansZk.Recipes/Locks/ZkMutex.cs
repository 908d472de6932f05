using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.Recipes.Locks;

/// <summary>
/// A distributed, re-entrant mutex (Curator's InterProcessMutex) with fencing tokens: contenders
/// queue as ephemeral sequential nodes under <see cref="Path"/>, each watching only its predecessor.
/// </summary>
/// <remarks>
/// <para><b>Owner.</b> The owner is this object: while it holds the lock, every further
/// <see cref="AcquireAsync(CancellationToken)"/> on it returns at once with a new handle on the same
/// node and token, and the node is deleted when the last handle is disposed. Two instances never
/// share ownership, even on one client in one process — give each actor that must exclude the others
/// (a request flow, a grain activation, a worker) its own instance, and share one instance only with
/// code that may nest inside a holding (recursion). Concurrent calls on one instance are the same
/// owner: they wait for the first attempt and then share it.</para>
/// <para><b>Safety.</b> At most one owner holds the lock at a time, as long as every holder stops
/// acting when <see cref="IZkLease.Lost"/> fires; <see cref="IZkLease.Token"/> lets the resource
/// reject a holder that did not (<see cref="FencedResource"/>). Waiters that time out, are cancelled
/// or fail leave no node behind.</para>
/// <para>Layout: <c>{path}/_c_{guid}-lock-{seq}</c> (Curator's, so the two interoperate).</para>
/// </remarks>
public sealed class ZkMutex
{
    private readonly ZkSessionSource _source;
    private readonly LockQueue _queue;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly byte[]? _nodeData;
    private Acquisition? _current;

    /// <summary>A mutex on the lock directory <paramref name="path"/> (created as a container when missing).</summary>
    /// <exception cref="BadArgumentsException">An invalid path.</exception>
    public ZkMutex(ZkSessionSource source, string path)
        : this(source, path, "lock-", LockQueue.Exclusive)
    {
    }

    internal ZkMutex(ZkSessionSource source, string path, string nodeName, LockRule rule, byte[]? nodeData = null)
    {
        _nodeData = nodeData;
        _source = source ?? throw new ArgumentNullException(nameof(source));
        _queue = new LockQueue(source, path, nodeName, rule);
    }

    /// <summary>The lock directory.</summary>
    public string Path => _queue.Dir;

    /// <summary>Whether this owner holds the lock now (and has not lost it).</summary>
    public bool IsHeld => Volatile.Read(ref _current) is { } a && !a.Holding.IsLost;

    internal LockQueue Queue => _queue;

    /// <summary>The node this owner holds the lock on, or null.</summary>
    internal string? HeldNode => Volatile.Read(ref _current)?.Path;

    /// <summary>Waits for the lock with no deadline.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled (the waiter's node is deleted).</exception>
    /// <exception cref="SessionExpiredException">The session ended while waiting, and could not carry on.</exception>
    /// <exception cref="LeaseLostException">This owner's current holding is lost: dispose its handles first.</exception>
    public async Task<ZkLockHandle> AcquireAsync(CancellationToken ct = default) =>
        (await AcquireCoreAsync(null, ct).ConfigureAwait(false))!;

    /// <summary>Waits for the lock for at most <paramref name="timeout"/>; null when it was not acquired in time (nothing is left behind).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative timeout (other than <see cref="Timeout.InfiniteTimeSpan"/>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled.</exception>
    /// <exception cref="LeaseLostException">This owner's current holding is lost: dispose its handles first.</exception>
    public Task<ZkLockHandle?> TryAcquireAsync(TimeSpan timeout, CancellationToken ct = default) => AcquireCoreAsync(Deadline.After(timeout), ct);

    /// <summary>The lock nodes of every contender, holder first (Curator's getParticipantNodes).</summary>
    public Task<IReadOnlyList<string>> GetParticipantNodesAsync(CancellationToken ct = default) =>
        Retry.UntilDoneAsync<IReadOnlyList<string>>(_source, async zk =>
        {
            try
            {
                return LockQueue.Sorted(await zk.GetChildrenAsync(Path, ct).ConfigureAwait(false)).Select(c => ZkPaths.Join(Path, c)).ToList();
            }
            catch (NoNodeException)
            {
                return [];
            }
        }, ct);

    private async Task<ZkLockHandle?> AcquireCoreAsync(long? deadlineMs, CancellationToken ct)
    {
        if (!await _gate.WaitAsync(Deadline.Left(deadlineMs), ct).ConfigureAwait(false)) return null;
        try
        {
            if (_current is { } held)
            {
                if (held.Holding.IsLost) throw new LeaseLostException($"lock {Path}: this owner's holding {held.Path} was lost ({held.Holding.Reason}); dispose its handles first");
                held.Count++;
                return new ZkLockHandle(this, held);
            }
            var acquired = await EnterAsync(deadlineMs, ct).ConfigureAwait(false);
            if (acquired == null) return null;
            _current = acquired;
            return new ZkLockHandle(this, acquired);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<Acquisition?> EnterAsync(long? deadlineMs, CancellationToken ct)
    {
        var client = await _source.ConnectedClientAsync(ct).ConfigureAwait(false);
        var lease = SessionLease.Of(client, _source);
        var interest = lease.Interest();
        try
        {
            var node = await _queue.EnterAsync(_nodeData, deadlineMs, ct).ConfigureAwait(false);
            if (node == null) return null;
            // Held only while the session is confirmed within the safe bound.
            while (!lease.IsValid && !await lease.ConfirmAsync(ct).ConfigureAwait(false))
            {
                if (deadlineMs is { } d && SessionLease.NowMs >= d || _source.Client != client)
                {
                    await _queue.LeaveAsync(node.Path, CancellationToken.None).ConfigureAwait(false);
                    if (_source.Client != client) throw new SessionExpiredException(node.Path, "the session ended while acquiring");
                    return null;
                }
                await _source.WaitForChangeAsync(client, ct).ConfigureAwait(false);
            }
            var acquisition = new Acquisition(node.Path, node.Stat.Czxid, lease.Hold($"lock {node.Path}"), interest);
            interest = null;
            return acquisition;
        }
        finally
        {
            interest?.Dispose();
        }
    }

    internal async Task ReleaseAsync(ZkLockHandle handle)
    {
        var acquisition = handle.Acquisition;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (--acquisition.Count > 0) return;
            if (_current == acquisition) _current = null;
        }
        finally
        {
            _gate.Release();
        }
        acquisition.Holding.Dispose();
        await _queue.LeaveQuietlyAsync(acquisition.Path).ConfigureAwait(false);
        acquisition.Interest.Dispose();
    }

    /// <summary>One holding of the lock by this owner, shared by its re-entrant handles.</summary>
    internal sealed class Acquisition(string path, long token, Holding holding, IDisposable interest)
    {
        public string Path { get; } = path;

        public long Token { get; } = token;

        public Holding Holding { get; } = holding;

        public IDisposable Interest { get; } = interest;

        /// <summary>Handles not yet disposed; guarded by the owner's gate.</summary>
        public int Count { get; set; } = 1;
    }
}
