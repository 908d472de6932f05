using OrleansZk.Core;

namespace OrleansZk.Client;

/// <summary>
/// Handing a session from one client to another, as a ZooKeeper client moves its session from one
/// connection to the next: the old client lets go without closing it (<see cref="DetachAsync"/>),
/// the new one resumes it (<see cref="ZkClientOptions.SessionId"/>, <see cref="ZkClientOptions.LastZxidSeen"/>)
/// and sets again the watches the old one had (<see cref="RestoreWatchesAsync"/>, ZooKeeper's setWatches).
/// </summary>
public sealed partial class ZkClient
{
    /// <summary>
    /// Stops using the session without closing it: no more heartbeats (the session expires after its
    /// timeout unless another client resumes it), no more watch events, and every outstanding call
    /// fails with ConnectionLoss (a write already sent may still take effect). The state becomes
    /// <see cref="ZkClientState.Closed"/> and every later call fails as on a closed client.
    /// Idempotent; after <see cref="CloseAsync"/> it does nothing more.
    /// </summary>
    public Task DetachAsync()
    {
        lock (_lock)
        {
            if (_closing != null) return _closing;
            var failed = _link.Lose(() => new ConnectionLossException(null, "the client let go of its session"));
            _link = new Link();
            _order.GiveUpIssued();
            TransitionLocked(ZkClientState.Closed, after: failed);
            _closing = FinishDetachAsync();
        }
        EndWatches(expired: false);
        lock (_lock)
        {
            return _closing;
        }
    }

    private async Task FinishDetachAsync()
    {
        await _heartbeats.CancelAsync().ConfigureAwait(false);
        _monitor?.Remove(this);
        if (_ownedHost != null) await StopOwnedHostAsync(_ownedHost).ConfigureAwait(false);
    }

    /// <summary>
    /// Sets watches another client of this session had (ZooKeeper's setWatches after a reconnect),
    /// all going to <paramref name="watcher"/>, as of <paramref name="relativeZxid"/>, the last zxid
    /// that client saw: a data watch whose node changed since fires NodeDataChanged at once (NodeDeleted
    /// if it is gone), an exists watch on a node that now exists NodeCreated, a child watch whose
    /// children changed NodeChildrenChanged (NodeDeleted); a persistent or recursive watch gets every
    /// change since, in order (or, beyond the service's history, HistoryTrimmed). Returns once those
    /// events have been handed to <paramref name="watcher"/>; the watches then fire as if set by reads.
    /// </summary>
    /// <exception cref="BadArgumentsException">An invalid path.</exception>
    public async Task RestoreWatchesAsync(long relativeZxid, WatchRestore watches, Action<WatchedEvent> watcher, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(watches);
        ArgumentNullException.ThrowIfNull(watcher);
        var all = watches.Data.Concat(watches.Exist).Concat(watches.Child).Concat(watches.Persistent).Concat(watches.PersistentRecursive);
        foreach (var path in all) ZkFailures.ValidatePath(path);
        await EnsureWatchingAsync(ct).ConfigureAwait(false);
        Task registered;
        while (true)
        {
            Task busy;
            lock (_watchLock)
            {
                if (_watchesEnded) throw ExpiredOrClosed();
                if (!_syncing)
                {
                    // Added under the same lock that starts the re-registration: its snapshot has them.
                    var since = Math.Max(0, relativeZxid);
                    foreach (var p in watches.Data) _watches.Add(WatchKind.Data, p, watcher, since);
                    foreach (var p in watches.Exist) _watches.Add(WatchKind.Exist, p, watcher, since);
                    foreach (var p in watches.Child) _watches.Add(WatchKind.Child, p, watcher, since);
                    foreach (var p in watches.Persistent) _watches.Add(WatchKind.Persistent, p, watcher, since);
                    foreach (var p in watches.PersistentRecursive) _watches.Add(WatchKind.Recursive, p, watcher, since);
                    _replayFloor = Math.Min(_replayFloor ?? long.MaxValue, since);
                    _syncing = true;
                    registered = _reregistering = ReregisterAsync();
                    break;
                }
                // An attach or a re-registration is in progress (it may have taken its snapshot): after it.
                busy = _watching is { IsCompleted: false } attaching ? attaching : _reregistering;
            }
            await busy.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
        }
        await AwaitReply(Completed(registered), null, ct).ConfigureAwait(false);
        // The replayed events reach the watcher before this returns.
        Task delivered;
        lock (_watchLock) delivered = WaitThroughLocked(_acceptedThrough);
        await AwaitReply(Completed(delivered), null, ct).ConfigureAwait(false);

        static async Task<bool> Completed(Task task)
        {
            await task.ConfigureAwait(false);
            return true;
        }
    }

    /// <summary>Whether this client has a watch of <paramref name="type"/> on <paramref name="path"/> (ZooKeeper's checkWatches, answered locally).</summary>
    /// <exception cref="BadArgumentsException">An invalid path or type.</exception>
    public bool HasWatches(string path, WatcherType type)
    {
        ZkFailures.ValidatePath(path);
        var kinds = ClientWatches.KindsOf(type);
        lock (_watchLock) return kinds.Any(k => _watches.Has(k, path));
    }
}

/// <summary>The watches to set again with <see cref="ZkClient.RestoreWatchesAsync"/>, by kind (ZooKeeper's <c>SetWatches2</c>).</summary>
/// <param name="Data">One-shot data watches (getData, and exists on a node that existed).</param>
/// <param name="Exist">One-shot exists watches on nodes that did not exist.</param>
/// <param name="Child">One-shot child watches (getChildren).</param>
/// <param name="Persistent">Persistent watches (addWatch).</param>
/// <param name="PersistentRecursive">Persistent recursive watches (addWatch).</param>
public sealed record WatchRestore(
    IReadOnlyList<string> Data,
    IReadOnlyList<string> Exist,
    IReadOnlyList<string> Child,
    IReadOnlyList<string> Persistent,
    IReadOnlyList<string> PersistentRecursive);
