using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.Recipes.Coordination;

/// <summary>
/// A barrier (Curator's DistributedBarrier): while its node exists, <see cref="WaitAsync"/> waits;
/// removing the node releases every waiter.
/// </summary>
public sealed class ZkBarrier(ZkSessionSource source, string path)
{
    private readonly ZkSessionSource _source = source ?? throw new ArgumentNullException(nameof(source));

    /// <summary>The barrier's node.</summary>
    public string Path { get; } = ZkPaths.Validate(path, "barrier path");

    /// <summary>Sets the barrier (creates its node, and missing parents); setting it again is harmless.</summary>
    public Task SetAsync(CancellationToken ct = default) => Retry.UntilDoneAsync(_source, async zk =>
    {
        await ZkPaths.EnsureAsync(zk, ZkPaths.Parent(Path), CreateMode.Persistent, ct).ConfigureAwait(false);
        try
        {
            await zk.CreateAsync(Path, null, ct: ct).ConfigureAwait(false);
        }
        catch (NodeExistsException)
        {
            // Set already.
        }
    }, ct);

    /// <summary>Removes the barrier, releasing the waiters; removing a barrier that is not set is harmless.</summary>
    public Task RemoveAsync(CancellationToken ct = default) => Retry.DeleteAsync(_source, Path, ct);

    /// <summary>Waits while the barrier is set; true once it is not, false at <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitAsync(TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var deadline = timeout is { } t ? Deadline.After(t) : null;
        while (true)
        {
            var zk = await _source.ConnectedClientAsync(ct).ConfigureAwait(false);
            try
            {
                var wait = new WatchWait();
                if (await zk.ExistsAsync(Path, wait.Watcher, ct).ConfigureAwait(false) == null) return true;
                if (deadline is { } d && SessionLease.NowMs >= d) return false;
                await wait.WaitAsync(_source, zk, deadline, ct).ConfigureAwait(false);
            }
            catch (ConnectionLossException)
            {
                // Look again once connected.
            }
        }
    }
}

/// <summary>
/// A double barrier (Curator's DistributedDoubleBarrier): <see cref="EnterAsync"/> waits until
/// <see cref="MemberCount"/> members have entered, <see cref="LeaveAsync"/> until all of them have
/// left. Members are ephemeral nodes <c>{path}/{memberId}</c>; the node <c>{path}/ready</c> marks a
/// full barrier.
/// </summary>
public sealed class ZkDoubleBarrier
{
    private const string Ready = "ready";
    private readonly ZkSessionSource _source;
    private readonly string _member;

    /// <summary>A double barrier of <paramref name="memberCount"/> members at <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="memberCount"/> is less than 1.</exception>
    public ZkDoubleBarrier(ZkSessionSource source, string path, int memberCount)
    {
        _source = source ?? throw new ArgumentNullException(nameof(source));
        Path = ZkPaths.Validate(path, "barrier path");
        ArgumentOutOfRangeException.ThrowIfLessThan(memberCount, 1);
        MemberCount = memberCount;
        _member = ZkPaths.Join(Path, Guid.NewGuid().ToString("N"));
    }

    /// <summary>The barrier's node.</summary>
    public string Path { get; }

    /// <summary>How many members make the barrier full.</summary>
    public int MemberCount { get; }

    /// <summary>Enters and waits until the barrier is full; false at <paramref name="timeout"/> (this member then leaves).</summary>
    public async Task<bool> EnterAsync(TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var deadline = timeout is { } t ? Deadline.After(t) : null;
        var ready = ZkPaths.Join(Path, Ready);
        await Retry.UntilDoneAsync(_source, async zk =>
        {
            await ZkPaths.EnsureAsync(zk, Path, CreateMode.Persistent, ct).ConfigureAwait(false);
            try
            {
                await zk.CreateAsync(_member, null, mode: CreateMode.Ephemeral, ct: ct).ConfigureAwait(false);
            }
            catch (NodeExistsException)
            {
                // Ours, from an attempt whose reply was lost.
            }
        }, ct).ConfigureAwait(false);
        var full = await WaitUntilAsync(async (zk, watcher) =>
        {
            if (await zk.ExistsAsync(ready, watcher, ct).ConfigureAwait(false) != null) return true;
            if (Members(await zk.GetChildrenAsync(Path, ct).ConfigureAwait(false)) < MemberCount) return false;
            try
            {
                await zk.CreateAsync(ready, null, ct: ct).ConfigureAwait(false);
            }
            catch (NodeExistsException)
            {
                // Another member saw it full first.
            }
            return true;
        }, deadline, ct).ConfigureAwait(false);
        if (!full) await Retry.DeleteAsync(_source, _member, CancellationToken.None).ConfigureAwait(false);
        return full;
    }

    /// <summary>Leaves and waits until every member has left; false at <paramref name="timeout"/>.</summary>
    public async Task<bool> LeaveAsync(TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var deadline = timeout is { } t ? Deadline.After(t) : null;
        await Retry.DeleteAsync(_source, _member, ct).ConfigureAwait(false);
        var empty = await WaitUntilAsync(async (zk, watcher) =>
        {
            try
            {
                return Members(await zk.GetChildrenAsync(Path, watcher, ct).ConfigureAwait(false)) == 0;
            }
            catch (NoNodeException)
            {
                return true;
            }
        }, deadline, ct).ConfigureAwait(false);
        // The last to see it empty takes the ready mark down, so the barrier can be used again.
        if (empty) await Retry.DeleteAsync(_source, ZkPaths.Join(Path, Ready), ct).ConfigureAwait(false);
        return empty;
    }

    private static int Members(IReadOnlyList<string> children) => children.Count(c => c != Ready);

    /// <summary>Checks <paramref name="done"/> (which sets one watch), then waits for that watch, until it holds or the deadline passes.</summary>
    private async Task<bool> WaitUntilAsync(Func<ZkClient, Action<WatchedEvent>, Task<bool>> done, long? deadline, CancellationToken ct)
    {
        while (true)
        {
            var zk = await _source.ConnectedClientAsync(ct).ConfigureAwait(false);
            try
            {
                var wait = new WatchWait();
                if (await done(zk, wait.Watcher).ConfigureAwait(false)) return true;
                if (deadline is { } d && SessionLease.NowMs >= d) return false;
                await wait.WaitAsync(_source, zk, deadline, ct).ConfigureAwait(false);
            }
            catch (ConnectionLossException)
            {
                // Look again once connected.
            }
        }
    }
}
