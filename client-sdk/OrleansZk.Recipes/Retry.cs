using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.Recipes;

/// <summary>
/// Runs an idempotent step (a read, a delete whose NoNode counts as done, a create whose
/// NodeExists counts as done) on the source's connected client, again after every ConnectionLoss
/// once the client is connected. A write whose repetition is not harmless is never run through here.
/// </summary>
internal static class Retry
{
    public static async Task UntilDoneAsync(ZkSessionSource source, Func<ZkClient, Task> step, CancellationToken ct) =>
        await UntilDoneAsync(source, async zk =>
        {
            await step(zk).ConfigureAwait(false);
            return true;
        }, ct).ConfigureAwait(false);

    public static async Task<T> UntilDoneAsync<T>(ZkSessionSource source, Func<ZkClient, Task<T>> step, CancellationToken ct)
    {
        while (true)
        {
            var zk = await source.ConnectedClientAsync(ct).ConfigureAwait(false);
            try
            {
                return await step(zk).ConfigureAwait(false);
            }
            catch (ConnectionLossException)
            {
                // Once connected again.
            }
            catch (SessionExpiredException) when (source.Renews && source.Client != zk)
            {
                // A new session is already there: run it on that one.
            }
        }
    }

    /// <summary>Deletes a node, across connection losses; NoNode counts as done.</summary>
    public static Task DeleteAsync(ZkSessionSource source, string path, CancellationToken ct) =>
        UntilDoneAsync(source, async zk =>
        {
            try
            {
                await zk.DeleteAsync(path, ct: ct).ConfigureAwait(false);
            }
            catch (NoNodeException)
            {
                // Gone already (perhaps by the attempt whose reply was lost).
            }
        }, ct);

    /// <summary>How long a release keeps trying to delete its node through connection losses (the session's end deletes an ephemeral anyway).</summary>
    public static readonly TimeSpan ReleaseBound = TimeSpan.FromSeconds(30);

    /// <summary>Deletes a released node, across connection losses for at most <see cref="ReleaseBound"/>; never throws (an ephemeral goes with its session).</summary>
    public static async Task DeleteQuietlyAsync(ZkSessionSource source, string path, CancellationToken ct = default)
    {
        try
        {
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bound.CancelAfter(ReleaseBound);
            if (!source.Client.State.IsFinal()) await DeleteAsync(source, path, bound.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ZkException or OperationCanceledException)
        {
            // Unreachable until the session ends: the ephemeral goes with it.
        }
    }

    /// <summary>Deletes whatever a protected create with <paramref name="id"/> left under <paramref name="parent"/>, for at most <see cref="ReleaseBound"/>; never throws.</summary>
    public static async Task DeleteProtectedQuietlyAsync(ZkSessionSource source, string parent, string id)
    {
        try
        {
            using var bound = new CancellationTokenSource(ReleaseBound);
            await ProtectedCreate.DeleteAsync(source, parent, id, bound.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ZkException or OperationCanceledException)
        {
            // The session's end removes an ephemeral anyway.
        }
    }
}

/// <summary>Waits for a one-shot watch, a deadline, a cancellation or a change of session, whichever comes first.</summary>
internal sealed class WatchWait
{
    private readonly TaskCompletionSource<WatchedEvent> _fired = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The watcher to set.</summary>
    public Action<WatchedEvent> Watcher => e => _fired.TrySetResult(e);

    /// <summary>The event, once it has fired.</summary>
    public Task<WatchedEvent> Fired => _fired.Task;

    /// <summary>
    /// True when the watch fired; false at <paramref name="deadlineMs"/> (monotonic ms; null = none),
    /// or when the session stopped being connected (the caller looks again once it is).
    /// </summary>
    public async Task<bool> WaitAsync(ZkSessionSource source, ZkClient zk, long? deadlineMs, CancellationToken ct)
    {
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        EventHandler<ZkConnectionStateChangedEventArgs> onState = (sender, e) =>
        {
            if (sender == zk && !e.State.IsConnected()) changed.TrySetResult();
        };
        source.ConnectionStateChanged += onState;
        try
        {
            if (!zk.State.IsConnected()) return false;
            using var timer = new CancellationTokenSource(Deadline.Left(deadlineMs));
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
            var stop = Task.Delay(Timeout.Infinite, linked.Token);
            var first = await Task.WhenAny(_fired.Task, changed.Task, stop).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            return first == _fired.Task;
        }
        finally
        {
            source.ConnectionStateChanged -= onState;
        }
    }
}

/// <summary>Deadlines on the monotonic clock, from the timeouts callers give.</summary>
internal static class Deadline
{
    /// <summary>The deadline <paramref name="timeout"/> from now (null for <see cref="Timeout.InfiniteTimeSpan"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative timeout other than <see cref="Timeout.InfiniteTimeSpan"/>.</exception>
    public static long? After(TimeSpan timeout, string paramName = "timeout")
    {
        if (timeout == Timeout.InfiniteTimeSpan) return null;
        if (timeout < TimeSpan.Zero) throw new ArgumentOutOfRangeException(paramName, timeout, "a timeout is zero or more (or Timeout.InfiniteTimeSpan)");
        return SessionLease.NowMs + (long)timeout.TotalMilliseconds;
    }

    /// <summary>The time left until <paramref name="deadlineMs"/> (infinite for none, zero once passed).</summary>
    public static TimeSpan Left(long? deadlineMs) =>
        deadlineMs is { } d ? TimeSpan.FromMilliseconds(Math.Max(0, d - SessionLease.NowMs)) : Timeout.InfiniteTimeSpan;
}
