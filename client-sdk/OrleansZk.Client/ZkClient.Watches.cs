using System.Runtime.CompilerServices;
using System.Threading.Channels;
using OrleansZk.Core;

namespace OrleansZk.Client;

/// <summary>
/// Watches, the API: one-shot watches set by reads, persistent and recursive watches, their
/// removal, and watches as an async stream. How events reach the watchers is in
/// ZkClient.EventStream.cs.
/// </summary>
public sealed partial class ZkClient
{
    /// <summary>The node's data and stat, setting a one-shot data watch (when the node exists) that <paramref name="watcher"/> gets.</summary>
    /// <param name="path">The node.</param>
    /// <param name="watcher">Called once, with NodeDataChanged or NodeDeleted; null sets no watch.</param>
    /// <param name="ct">Stops waiting.</param>
    /// <exception cref="NoNodeException">The node does not exist (no watch is set).</exception>
    /// <exception cref="NoAuthException">No READ permission.</exception>
    public async Task<DataResult> GetDataAsync(string path, Action<WatchedEvent>? watcher, CancellationToken ct = default)
    {
        if (watcher == null) return await GetDataAsync(path, ct).ConfigureAwait(false);
        ZkFailures.Validate(new GetDataRequest(path));
        // The read takes its place in the order now; it is sent once the watch stream is attached.
        var reply = await ReadAsync(ReadKind.GetData, path, new GetDataRequest(path), ct, watch: true, after: EnsureWatchingAsync(ct)).ConfigureAwait(false);
        Register(WatchKind.Data, path, watcher, reply.Zxid);
        return new DataResult(reply.Data, reply.Stat ?? default);
    }

    /// <summary>
    /// The node's stat or null, setting a one-shot watch that <paramref name="watcher"/> gets: on an
    /// existing node NodeDataChanged or NodeDeleted, on a missing one NodeCreated.
    /// </summary>
    public async Task<Stat?> ExistsAsync(string path, Action<WatchedEvent>? watcher, CancellationToken ct = default)
    {
        if (watcher == null) return await ExistsAsync(path, ct).ConfigureAwait(false);
        ZkFailures.Validate(new ExistsRequest(path));
        var reply = await ReadAsync(ReadKind.Exists, path, new ExistsRequest(path), ct, absentIsError: false, watch: true, after: EnsureWatchingAsync(ct)).ConfigureAwait(false);
        var stat = reply.Code == ZkErrorCode.NoNode ? null : reply.Stat;
        Register(stat == null ? WatchKind.Exist : WatchKind.Data, path, watcher, reply.Zxid);
        return stat;
    }

    /// <summary>The names of the node's children, setting a one-shot child watch (NodeChildrenChanged or NodeDeleted) that <paramref name="watcher"/> gets.</summary>
    /// <exception cref="NoNodeException">The node does not exist (no watch is set).</exception>
    public async Task<IReadOnlyList<string>> GetChildrenAsync(string path, Action<WatchedEvent>? watcher, CancellationToken ct = default) =>
        (await GetChildrenWithStatAsync(path, watcher, ct).ConfigureAwait(false)).Children;

    /// <summary>The node's children and stat, setting a one-shot child watch that <paramref name="watcher"/> gets.</summary>
    /// <exception cref="NoNodeException">The node does not exist (no watch is set).</exception>
    public async Task<ChildrenResult> GetChildrenWithStatAsync(string path, Action<WatchedEvent>? watcher, CancellationToken ct = default)
    {
        if (watcher == null) return await GetChildrenWithStatAsync(path, ct).ConfigureAwait(false);
        ZkFailures.Validate(new GetChildrenRequest(path));
        var reply = await ReadAsync(ReadKind.GetChildren, path, new GetChildrenRequest(path), ct, watch: true, after: EnsureWatchingAsync(ct)).ConfigureAwait(false);
        Register(WatchKind.Child, path, watcher, reply.Zxid);
        return new ChildrenResult(reply.Children ?? [], reply.Stat ?? default);
    }

    /// <summary>
    /// addWatch: a watch that stays until removed or the session ends. Persistent: NodeCreated,
    /// NodeDeleted, NodeDataChanged and NodeChildrenChanged of the node. PersistentRecursive:
    /// NodeCreated, NodeDeleted and NodeDataChanged of the node and every node below it. The node need
    /// not exist. After a lost stream or a reconnect every change the watch missed is replayed in
    /// order, or (when the service's history no longer reaches back) it gets HistoryTrimmed.
    /// </summary>
    /// <exception cref="BadArgumentsException">An invalid path or mode.</exception>
    public async Task AddWatchAsync(string path, Action<WatchedEvent> watcher, AddWatchMode mode, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        ZkFailures.ValidatePath(path);
        if (mode is not (AddWatchMode.Persistent or AddWatchMode.PersistentRecursive))
            throw new BadArgumentsException(path, $"unknown watch mode {(int)mode}");
        var reply = await AwaitReply(SendRead(info => Partition(info, path).AddWatch(info.SessionId, path, mode, LastZxid), EnsureWatchingAsync(ct)), ct).ConfigureAwait(false);
        FoldZxid(reply.Zxid);
        if (reply.Code != ZkErrorCode.Ok) throw ZkException.For(reply.Code, reply.ErrorPath ?? path, reply.Detail);
        Register(mode == AddWatchMode.PersistentRecursive ? WatchKind.Recursive : WatchKind.Persistent, path, watcher, reply.Zxid);
    }

    /// <summary>
    /// Removes <paramref name="watcher"/>'s watches of <paramref name="type"/> on the path (ZooKeeper's
    /// removeWatches): Children one-shot child watches, Data one-shot data and exists watches,
    /// Persistent and PersistentRecursive their kind, Any all. The watcher is told
    /// (DataWatchRemoved, ChildWatchRemoved, PersistentWatchRemoved) before the call returns — unless
    /// the call is made from a watcher, which runs on the thread that tells them. The service is asked
    /// to drop its registration once no watcher of this client needs it, unless <paramref name="local"/>.
    /// </summary>
    /// <exception cref="NoWatcherException">The watcher has no such watch on the path.</exception>
    public Task RemoveWatchesAsync(string path, Action<WatchedEvent> watcher, WatcherType type, bool local = false, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        return RemoveAsync(path, watcher, type, local, ct);
    }

    /// <summary>Removes every watch of <paramref name="type"/> this client has on the path; as <see cref="RemoveWatchesAsync"/>.</summary>
    /// <exception cref="NoWatcherException">The client has no such watch on the path.</exception>
    public Task RemoveAllWatchesAsync(string path, WatcherType type, bool local = false, CancellationToken ct = default) =>
        RemoveAsync(path, null, type, local, ct);

    /// <summary>
    /// Adds a persistent watch (or, with <see cref="AddWatchMode.PersistentRecursive"/>, a recursive
    /// one) on the path and yields its events as they come; the watch is removed when the enumeration
    /// ends. The enumeration ends when the watch is removed otherwise (after yielding
    /// PersistentWatchRemoved) or the client is closed, and throws SessionExpiredException when the session expires.
    /// </summary>
    public async IAsyncEnumerable<WatchedEvent> WatchAsync(string path, AddWatchMode mode = AddWatchMode.Persistent, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var channel = Channel.CreateUnbounded<WatchedEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        Action<WatchedEvent> watcher = e => channel.Writer.TryWrite(e);
        lock (_watchLock)
        {
            if (_watchesEnded) throw ExpiredOrClosed();
            _enumerations.Add(channel.Writer);
        }
        var added = false;
        try
        {
            await AddWatchAsync(path, watcher, mode, ct).ConfigureAwait(false);
            added = true;
            await foreach (var e in channel.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                yield return e;
                if (e.Type == WatchEventType.PersistentWatchRemoved)
                {
                    added = false;
                    yield break;
                }
            }
            added = false; // ended with the session
        }
        finally
        {
            lock (_watchLock) _enumerations.Remove(channel.Writer);
            if (added) await RemoveQuietlyAsync(path, watcher, mode).ConfigureAwait(false);
        }
    }

    private async Task RemoveQuietlyAsync(string path, Action<WatchedEvent> watcher, AddWatchMode mode)
    {
        try
        {
            var type = mode == AddWatchMode.PersistentRecursive ? WatcherType.PersistentRecursive : WatcherType.Persistent;
            await RemoveAsync(path, watcher, type, local: _state.IsFinal(), CancellationToken.None).ConfigureAwait(false);
        }
        catch (ZkException)
        {
            // Gone already, or the service is unreachable: the session's end drops it anyway.
        }
    }

    private async Task RemoveAsync(string path, Action<WatchedEvent>? watcher, WatcherType type, bool local, CancellationToken ct)
    {
        ZkFailures.ValidatePath(path);
        var kinds = ClientWatches.KindsOf(type);
        lock (_watchLock)
        {
            var any = kinds.Any(k => _watches.Has(k, path));
            if (!any) throw new NoWatcherException(path);
        }
        if (!local)
        {
            // Ask the service to drop the registrations no other watcher of this client will need.
            foreach (var serverType in ServerRemovals(path, watcher, kinds))
            {
                var reply = await AwaitReply(SendRead(info => Partition(info, path).RemoveWatches(info.SessionId, path, serverType, LastZxid)), ct).ConfigureAwait(false);
                FoldZxid(reply.Zxid);
                // NoWatcher: the service had lost it (registrations are soft state); the client's removal stands.
                if (reply.Code is not (ZkErrorCode.Ok or ZkErrorCode.NoWatcher)) throw ZkException.For(reply.Code, reply.ErrorPath ?? path, reply.Detail);
            }
        }
        lock (_watchLock)
        {
            var removed = _watches.Remove(path, watcher, type);
            if (removed.Count == 0) throw new NoWatcherException(path);
            foreach (var (w, told) in removed) _dispatch.Writer.TryWrite(new Dispatch(new WatchedEvent(told, path, -1), [w], 0));
        }
        // As a write's reply after its events: the removed watchers have been told when this returns
        // (unless it was called by a watcher, which cannot wait for the dispatcher it runs on).
        await DispatchedAsync().WaitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The removeWatches types to send: per kind, only when no watcher of it would remain on the path.</summary>
    private List<WatcherType> ServerRemovals(string path, Action<WatchedEvent>? watcher, WatchKind[] kinds)
    {
        lock (_watchLock)
        {
            if (watcher == null)
            {
                if (kinds.Length == 5) return [WatcherType.Any];
                return [.. kinds.Where(k => k != WatchKind.Exist).Select(ToWatcherType)];
            }
            var types = new List<WatcherType>();
            foreach (var kind in kinds)
            {
                if (kind == WatchKind.Exist) continue;
                var others = OthersRemain(path, watcher, kind) || (kind == WatchKind.Data && OthersRemain(path, watcher, WatchKind.Exist));
                if (!others) types.Add(ToWatcherType(kind));
            }
            return types;
        }
    }

    private bool OthersRemain(string path, Action<WatchedEvent> watcher, WatchKind kind) => _watches.Count(kind, path, except: watcher) > 0;

    private static WatcherType ToWatcherType(WatchKind kind) => kind switch
    {
        WatchKind.Data or WatchKind.Exist => WatcherType.Data,
        WatchKind.Child => WatcherType.Children,
        WatchKind.Persistent => WatcherType.Persistent,
        _ => WatcherType.PersistentRecursive,
    };

    /// <summary>Registers a watcher once its read is answered at <paramref name="since"/>, and gives it an event that overtook the reply.</summary>
    private void Register(WatchKind kind, string path, Action<WatchedEvent> watcher, long since)
    {
        lock (_watchLock)
        {
            if (_watchesEnded) return;
            _watches.Add(kind, path, watcher, since);
            for (var node = _unmatched.First; node != null;)
            {
                var next = node.Next;
                if (node.Value.Zxid > since && node.Value.Path == path)
                {
                    var watchers = _watches.Materialize(node.Value);
                    if (watchers.Count > 0)
                    {
                        _dispatch.Writer.TryWrite(new Dispatch(node.Value, watchers, 0));
                        _unmatched.Remove(node);
                    }
                }
                node = next;
            }
        }
    }
}
