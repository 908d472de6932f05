using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.Recipes.Caches;

/// <summary>A cached node: its path, data and stat.</summary>
public sealed record ChildData(string Path, byte[]? Data, Stat Stat);

/// <summary>What changed in a cache.</summary>
public enum CacheChangeType
{
    /// <summary>A node appeared.</summary>
    NodeAdded,

    /// <summary>A node's data (or stat) changed.</summary>
    NodeUpdated,

    /// <summary>A node went.</summary>
    NodeRemoved,

    /// <summary>The first load is complete (<see cref="CacheChange.Node"/> is null).</summary>
    Initialized,
}

/// <summary>One change of a cache; <see cref="Node"/> is the node after (the removed node for <see cref="CacheChangeType.NodeRemoved"/>).</summary>
public sealed record CacheChange(CacheChangeType Type, ChildData? Node);

/// <summary>
/// A local copy of a subtree kept current by one persistent recursive watch (Curator's
/// CuratorCache / TreeCache): <see cref="Current"/>, per-node <see cref="Changed"/> events, and
/// <see cref="SnapshotsAsync"/>.
/// </summary>
/// <remarks>
/// <para>Never misses a change: the watch is set before the first load, the service replays every
/// change a persistent watch missed across a reconnect, and when it cannot (HistoryTrimmed) or the
/// session was replaced, the cache reloads the subtree and reports the difference. Changes are
/// applied one at a time, in the order the events came; a snapshot is a consistent immutable
/// dictionary as of one applied change.</para>
/// <para>Events are raised on the cache's own loop (never under a lock); a handler's exception is
/// ignored; a handler that blocks holds the cache back.</para>
/// </remarks>
public sealed class ZkTreeCache : IAsyncDisposable
{
    private readonly ZkSessionSource _source;
    private readonly Channel<WatchedEvent?> _work = Channel.CreateUnbounded<WatchedEvent?>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _initialized = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Channel<IReadOnlyDictionary<string, ChildData>>> _subscribers = [];
    private readonly Lock _lock = new();
    private ImmutableSortedDictionary<string, ChildData> _nodes = ImmutableSortedDictionary.Create<string, ChildData>(StringComparer.Ordinal);
    private Task _loop = Task.CompletedTask;
    private ZkClient? _watching;
    private readonly Action<WatchedEvent> _watcher;

    /// <summary>A cache of <paramref name="root"/> and its descendants down to <paramref name="maxDepth"/> levels below it (0: the root only).</summary>
    /// <exception cref="BadArgumentsException">An invalid path.</exception>
    public ZkTreeCache(ZkSessionSource source, string root, int maxDepth = int.MaxValue)
    {
        _source = source ?? throw new ArgumentNullException(nameof(source));
        Root = ZkPaths.Validate(root, "cache root");
        ArgumentOutOfRangeException.ThrowIfNegative(maxDepth);
        MaxDepth = maxDepth;
        _watcher = e => _work.Writer.TryWrite(e);
    }

    /// <summary>The cached subtree's root.</summary>
    public string Root { get; }

    /// <summary>How many levels below the root are cached.</summary>
    public int MaxDepth { get; }

    /// <summary>Every cached node by path (an immutable snapshot).</summary>
    public IReadOnlyDictionary<string, ChildData> Current => Volatile.Read(ref _nodes);

    /// <summary>Raised for every change, in order.</summary>
    public event EventHandler<CacheChange>? Changed;

    /// <summary>Starts the cache and waits for its first load.</summary>
    public async Task StartAsync(CancellationToken ct = default)
    {
        lock (_lock)
        {
            if (_loop.IsCompleted && !_initialized.Task.IsCompleted) _loop = Task.Run(RunAsync);
        }
        await _initialized.Task.WaitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The cached node at <paramref name="path"/>, or null.</summary>
    public ChildData? Get(string path) => Current.GetValueOrDefault(path);

    /// <summary>The current snapshot, then one after every change (changes in quick succession may share one), until <paramref name="ct"/> or disposal.</summary>
    public async IAsyncEnumerable<IReadOnlyDictionary<string, ChildData>> SnapshotsAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        var channel = Channel.CreateBounded<IReadOnlyDictionary<string, ChildData>>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_lock) _subscribers.Add(channel);
        try
        {
            channel.Writer.TryWrite(Current);
            await foreach (var snapshot in channel.Reader.ReadAllAsync(ct).ConfigureAwait(false)) yield return snapshot;
        }
        finally
        {
            lock (_lock) _subscribers.Remove(channel);
        }
    }

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        _source.SessionRenewed += OnRenewed;
        try
        {
            await ReloadAsync(ct).ConfigureAwait(false);
            _initialized.TrySetResult();
            Raise(new CacheChange(CacheChangeType.Initialized, null));
            await foreach (var e in _work.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                if (e == null || e.Type == WatchEventType.HistoryTrimmed || _watching != _source.Client) await ReloadAsync(ct).ConfigureAwait(false);
                else await ApplyAsync(e, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Disposed.
        }
        catch (Exception e)
        {
            _initialized.TrySetException(e);
        }
        finally
        {
            _source.SessionRenewed -= OnRenewed;
            lock (_lock)
            {
                foreach (var s in _subscribers) s.Writer.TryComplete();
            }
        }
    }

    private void OnRenewed(object? sender, ZkClient client) => _work.Writer.TryWrite(null);

    /// <summary>Sets the watch on the current session (once per session), then reads the whole subtree and reports the difference.</summary>
    private async Task ReloadAsync(CancellationToken ct)
    {
        var fresh = await Retry.UntilDoneAsync(_source, async zk =>
        {
            if (_watching != zk)
            {
                await zk.AddWatchAsync(Root, _watcher, AddWatchMode.PersistentRecursive, ct).ConfigureAwait(false);
                _watching = zk;
            }
            var nodes = new Dictionary<string, ChildData>(StringComparer.Ordinal);
            await LoadAsync(zk, Root, 0, nodes, ct).ConfigureAwait(false);
            return nodes;
        }, ct).ConfigureAwait(false);
        foreach (var old in Current.Values.Where(n => !fresh.ContainsKey(n.Path)).ToList()) Remove(old.Path);
        foreach (var node in fresh.Values) Put(node);
    }

    private async Task LoadAsync(ZkClient zk, string path, int depth, Dictionary<string, ChildData> into, CancellationToken ct)
    {
        try
        {
            var (data, stat) = await zk.GetDataAsync(path, ct).ConfigureAwait(false);
            into[path] = new ChildData(path, data, stat);
            if (depth >= MaxDepth || stat.NumChildren == 0) return;
            foreach (var child in await zk.GetChildrenAsync(path, ct).ConfigureAwait(false))
                await LoadAsync(zk, ZkPaths.Join(path, child), depth + 1, into, ct).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            // Gone meanwhile: its deletion event follows.
        }
    }

    private async Task ApplyAsync(WatchedEvent e, CancellationToken ct)
    {
        if (DepthOf(e.Path) is not { } depth || depth > MaxDepth) return;
        if (e.Type == WatchEventType.NodeDeleted)
        {
            Remove(e.Path);
            return;
        }
        if (e.Type is not (WatchEventType.NodeCreated or WatchEventType.NodeDataChanged)) return;
        var node = await Retry.UntilDoneAsync<ChildData?>(_source, async zk =>
        {
            try
            {
                var (data, stat) = await zk.GetDataAsync(e.Path, ct).ConfigureAwait(false);
                return new ChildData(e.Path, data, stat);
            }
            catch (NoNodeException)
            {
                return null;
            }
        }, ct).ConfigureAwait(false);
        if (node != null) Put(node);
        // Created and gone again before it could be read: its deletion event is next in line, so
        // it is reported present (without data) and then removed, as the events say.
        else if (e.Type == WatchEventType.NodeCreated && !Current.ContainsKey(e.Path)) Put(new ChildData(e.Path, null, new Stat(e.Zxid, e.Zxid, 0, 0, 0, 0, 0, 0, 0, 0, e.Zxid)));
    }

    /// <summary>Levels below the root, or null for a path outside the subtree.</summary>
    private int? DepthOf(string path)
    {
        if (path == Root) return 0;
        var prefix = Root == "/" ? "/" : Root + "/";
        return path.StartsWith(prefix, StringComparison.Ordinal) ? path[prefix.Length..].Count(c => c == '/') + 1 : null;
    }

    private void Put(ChildData node)
    {
        var current = Current.GetValueOrDefault(node.Path);
        if (current != null && current.Stat.Mzxid >= node.Stat.Mzxid) return;
        Publish(_nodes.SetItem(node.Path, node), new CacheChange(current == null ? CacheChangeType.NodeAdded : CacheChangeType.NodeUpdated, node));
    }

    private void Remove(string path)
    {
        // A node's descendants go with it (their own deletion events may follow; they find nothing).
        var gone = Current.Values.Where(n => n.Path == path || n.Path.StartsWith(path + "/", StringComparison.Ordinal)).OrderByDescending(n => n.Path.Length).ToList();
        foreach (var node in gone) Publish(_nodes.Remove(node.Path), new CacheChange(CacheChangeType.NodeRemoved, node));
    }

    private void Publish(ImmutableSortedDictionary<string, ChildData> nodes, CacheChange change)
    {
        Volatile.Write(ref _nodes, nodes);
        lock (_lock)
        {
            foreach (var s in _subscribers) s.Writer.TryWrite(nodes);
        }
        Raise(change);
    }

    private void Raise(CacheChange change)
    {
        try
        {
            Changed?.Invoke(this, change);
        }
        catch (Exception)
        {
            // A listener's failure is its own.
        }
    }

    /// <summary>Stops the cache and removes its watch.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        _work.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        if (_watching is { } zk && zk.State.IsConnected())
        {
            try
            {
                await zk.RemoveWatchesAsync(Root, _watcher, WatcherType.PersistentRecursive).ConfigureAwait(false);
            }
            catch (ZkException)
            {
                // The session's end drops it anyway.
            }
        }
    }
}
