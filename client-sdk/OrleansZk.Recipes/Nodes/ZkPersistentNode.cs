using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.Recipes.Nodes;

/// <summary>
/// A node that stays while this object lives (Curator's PersistentNode, of which
/// PersistentEphemeralNode is the ephemeral case): created (protected) on start, re-created when it
/// is deleted, and — for an ephemeral mode — re-created on the new session after the old one
/// expired. Disposing deletes it.
/// </summary>
/// <remarks>
/// A sequential node gets a new name each time it is re-created (<see cref="ActualPath"/>). Data
/// set with <see cref="SetDataAsync"/> is what a re-created node gets. Between a loss and the
/// re-creation the node is absent: readers must allow for that.
/// </remarks>
public sealed class ZkPersistentNode : IAsyncDisposable
{
    private readonly ZkSessionSource _source;
    private readonly CreateMode _mode;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _created = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _pulse = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _loop = Task.CompletedTask;
    private volatile byte[]? _data;
    private volatile string? _actualPath;

    /// <summary>A node at <paramref name="path"/> (for a sequential mode, the name's prefix) with <paramref name="data"/>; nothing happens before <see cref="Start"/>.</summary>
    /// <exception cref="BadArgumentsException">An invalid path, or a container or TTL mode.</exception>
    public ZkPersistentNode(ZkSessionSource source, string path, byte[]? data, CreateMode mode = CreateMode.Ephemeral)
    {
        _source = source ?? throw new ArgumentNullException(nameof(source));
        Path = ZkPaths.Validate(path);
        if (mode is CreateMode.Container || mode.IsTtl() || !mode.IsDefined()) throw new BadArgumentsException(path, $"a persistent node cannot be {mode}");
        _mode = mode;
        _data = data;
    }

    /// <summary>The path asked for.</summary>
    public string Path { get; }

    /// <summary>The node's path as created (with its sequence suffix), or null before it first is.</summary>
    public string? ActualPath => _actualPath;

    /// <summary>How many times the node was (re-)created.</summary>
    public int Creations { get; private set; }

    /// <summary>Starts keeping the node (once).</summary>
    public void Start()
    {
        if (!_loop.IsCompleted || _stop.IsCancellationRequested || Creations > 0) throw new InvalidOperationException("a persistent node starts once");
        _source.SessionRenewed += OnRenewed;
        _source.ConnectionStateChanged += OnState;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Waits until the node has been created the first time.</summary>
    public Task WaitForInitialCreateAsync(CancellationToken ct = default) => _created.Task.WaitAsync(ct);

    /// <summary>Sets the node's data now (if it exists) and for every re-creation.</summary>
    public async Task SetDataAsync(byte[]? data, CancellationToken ct = default)
    {
        _data = data;
        if (_actualPath is { } path)
        {
            await Retry.UntilDoneAsync(_source, async zk =>
            {
                try
                {
                    await zk.SetDataAsync(path, data, ct: ct).ConfigureAwait(false);
                }
                catch (NoNodeException)
                {
                    // Being re-created, with the new data.
                }
            }, ct).ConfigureAwait(false);
        }
    }

    private void OnRenewed(object? sender, ZkClient client) => Wake();

    private void OnState(object? sender, ZkConnectionStateChangedEventArgs e)
    {
        if (e.State == ZkClientState.Reconnected) Wake();
    }

    /// <summary>Wakes the loop: completes the pulse it waits on (a loop that was not waiting sees the next one, taken before it looks).</summary>
    private void Wake() => Interlocked.Exchange(ref _pulse, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private Task Woken(CancellationToken ct) => Volatile.Read(ref _pulse).Task.WaitAsync(ct);

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            var woken = Woken(ct);
            try
            {
                var zk = await _source.ConnectedClientAsync(ct).ConfigureAwait(false);
                var watch = new WatchWait();
                if (_actualPath is not { } path || await zk.ExistsAsync(path, watch.Watcher, ct).ConfigureAwait(false) is not { } stat
                    || (_mode.IsEphemeral() && stat.EphemeralOwner != zk.SessionId))
                {
                    var made = _mode.IsSequential()
                        ? (await ProtectedCreate.CreateAsync(_source, Path, _data, _mode, ct: ct).ConfigureAwait(false)).Path
                        : await CreatePlainAsync(zk, woken, ct).ConfigureAwait(false);
                    if (made == null) continue;
                    _actualPath = made;
                    Creations++;
                    _created.TrySetResult();
                    continue; // set the watch on it
                }
                // Until it is deleted or changed, the session changes, or it is time to look again.
                await Task.WhenAny(watch.Fired, woken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (ZkException) when (_source.Renews || !_source.Client.State.IsFinal())
            {
                // Lost contact or the session: look again once connected (on the new session).
            }
            catch (ZkException)
            {
                return; // The session ended for good.
            }
        }
    }

    /// <summary>
    /// Creates the node at its own name (a lost reply shows as NodeExists with this session as
    /// owner, or — persistent — as the node being there). Null when another session's ephemeral
    /// holds the name: the caller waits for it to go (its deletion fires the watch set here).
    /// </summary>
    private async Task<string?> CreatePlainAsync(OrleansZk.Client.ZkClient zk, Task woken, CancellationToken ct)
    {
        try
        {
            await zk.CreateAsync(Path, _data, mode: _mode, ct: ct).ConfigureAwait(false);
            return Path;
        }
        catch (NoNodeException)
        {
            await ZkPaths.EnsureAsync(zk, ZkPaths.Parent(Path), ct: ct).ConfigureAwait(false);
            return null;
        }
        catch (NodeExistsException)
        {
            var watch = new WatchWait();
            var stat = await zk.ExistsAsync(Path, watch.Watcher, ct).ConfigureAwait(false);
            if (stat is not { } s || !_mode.IsEphemeral() || s.EphemeralOwner == zk.SessionId)
            {
                _actualPath = Path;
                return stat == null ? null : Path;
            }
            await Task.WhenAny(watch.Fired, woken).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>Stops keeping the node and deletes it.</summary>
    public ValueTask DisposeAsync() => new(StopAsync(CancellationToken.None));

    /// <summary>Stops keeping the node and deletes it, giving up the delete at <paramref name="ct"/> (an ephemeral then goes with its session).</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        _source.SessionRenewed -= OnRenewed;
        _source.ConnectionStateChanged -= OnState;
        await _loop.ConfigureAwait(false);
        if (_actualPath is { } path) await Retry.DeleteQuietlyAsync(_source, path, ct).ConfigureAwait(false);
    }
}
