using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.Recipes;

/// <summary>
/// The session every recipe runs on: the current <see cref="ZkClient"/>, and — when made with a
/// factory — a new client (a new session) after the current one expires, as Curator's framework
/// makes a new ZooKeeper handle after a lost session.
/// </summary>
/// <remarks>
/// <para>A recipe holding session-bound state (an ephemeral registration, a leadership, a watch)
/// listens to <see cref="ConnectionStateChanged"/> and <see cref="SessionRenewed"/>: Suspended
/// means "maybe lost", Expired means lost, and on Reconnected or SessionRenewed it recovers what it
/// can (re-creating its nodes, re-reading what it caches).</para>
/// <para>A <see cref="ZkClient"/> converts implicitly to a source without a factory: recipes on it
/// work until its session ends, and then fail with <see cref="SessionExpiredException"/>.</para>
/// <para>Thread-safe. Events are raised on the thread pool, in order, never under a lock.</para>
/// </remarks>
public sealed class ZkSessionSource : IAsyncDisposable
{
    private readonly Func<ZkClient>? _factory;
    private readonly bool _ownsClients;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _disposed = new();
    private ZkClient _current;
    private Task _renewing = Task.CompletedTask;
    private Task _events = Task.CompletedTask;

    /// <summary>A source that makes its clients with <paramref name="factory"/> — the first one now, a new one after each expiry — and closes them when disposed.</summary>
    /// <param name="factory">Makes a new client (its session opens on first use), e.g. <c>() =&gt; new ZkClient(clusterClient, options)</c>.</param>
    public ZkSessionSource(Func<ZkClient> factory)
        : this(factory, ownsClients: true)
    {
    }

    private ZkSessionSource(Func<ZkClient> factory, bool ownsClients)
    {
        _factory = factory ?? throw new ArgumentNullException(nameof(factory));
        _ownsClients = ownsClients;
        _current = Attach(factory());
    }

    private ZkSessionSource(ZkClient client)
    {
        _current = Attach(client ?? throw new ArgumentNullException(nameof(client)));
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ZkClient, ZkSessionSource> Fixed = new();

    /// <summary>The source over one client, renewed never (the same instance for the same client): the caller keeps owning (and closing) the client.</summary>
    public static ZkSessionSource Of(ZkClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return Fixed.GetValue(client, static c => new ZkSessionSource(c));
    }

    /// <summary>A source over one client (<see cref="Of"/>).</summary>
    public static implicit operator ZkSessionSource(ZkClient client) => Of(client);

    /// <summary>The client of the current session (after an expiry, the new one once the source has made it).</summary>
    public ZkClient Client
    {
        get
        {
            lock (_lock) return _current;
        }
    }

    /// <summary>Whether a new session follows an expiry (the source was made with a factory).</summary>
    public bool Renews => _factory != null;

    /// <summary>
    /// The safe bound for holders (lock handles, leaderships), as a fraction of the session timeout
    /// (default 0.5, from above 0 to 0.9): a holding is lost once this long has passed since the
    /// last contact with the leader that confirmed the session — measured from when that request
    /// was sent — without a newer one. The service cannot expire the session before a whole
    /// timeout has passed since then, so every holding is lost before anyone else can take it;
    /// the rest of the timeout is the margin for a late timer and the holder's last act.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not in (0, 0.9].</exception>
    public double SafeBoundFraction
    {
        get => _safeBound;
        set => _safeBound = value is > 0 and <= 0.9 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "the safe bound is a fraction of the session timeout in (0, 0.9]");
    }

    private double _safeBound = 0.5;

    /// <summary>Every state change of the current client (Curator's ConnectionStateListener); the sender is the client.</summary>
    public event EventHandler<ZkConnectionStateChangedEventArgs>? ConnectionStateChanged;

    /// <summary>Raised with the new client once a new session replaced an expired one: recipes re-create their session-bound state there.</summary>
    public event EventHandler<ZkClient>? SessionRenewed;

    /// <summary>
    /// The current client once it is connected (opening its session if need be; after an expiry,
    /// the new client). Waits while it is suspended.
    /// </summary>
    /// <exception cref="SessionExpiredException">The session expired or the client was closed, and the source does not renew.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled.</exception>
    public async Task<ZkClient> ConnectedClientAsync(CancellationToken ct = default)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var client = Client;
            var state = client.State;
            if (state.IsConnected()) return client;
            if (state == ZkClientState.NotConnected)
            {
                try
                {
                    await client.ConnectAsync(ct).ConfigureAwait(false);
                    continue;
                }
                catch (ConnectionLossException)
                {
                    // The service is unreachable now: wait and try again.
                }
            }
            else if (state.IsFinal() && !Renews)
            {
                throw new SessionExpiredException(null, $"session 0x{client.SessionId:x} ended ({state}) and this source does not renew sessions");
            }
            await WaitForChangeAsync(client, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Completes at the client's next state change, or a renewal, or within a second (a probe).</summary>
    internal async Task WaitForChangeAsync(ZkClient client, CancellationToken ct)
    {
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        EventHandler<ZkConnectionStateChangedEventArgs> onState = (_, _) => changed.TrySetResult();
        EventHandler<ZkClient> onRenewed = (_, _) => changed.TrySetResult();
        ConnectionStateChanged += onState;
        SessionRenewed += onRenewed;
        try
        {
            if (Client != client || client.State.IsConnected()) return;
            await Task.WhenAny(changed.Task, Task.Delay(PollMs, ct)).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
        }
        finally
        {
            ConnectionStateChanged -= onState;
            SessionRenewed -= onRenewed;
        }
    }

    /// <summary>How long a wait for a state change lasts before looking again (a state change is never missed; this bounds a wait on a client that never changes).</summary>
    private const int PollMs = 1_000;

    private ZkClient Attach(ZkClient client)
    {
        client.ConnectionStateChanged += OnStateChanged;
        return client;
    }

    private void OnStateChanged(object? sender, ZkConnectionStateChangedEventArgs e)
    {
        var client = (ZkClient)sender!;
        Raise(() => ConnectionStateChanged?.Invoke(client, e));
        if (e.State == ZkClientState.Expired && _factory != null) Renew(client);
    }

    private void Renew(ZkClient expired)
    {
        lock (_lock)
        {
            if (_current != expired || _disposed.IsCancellationRequested) return;
            _renewing = RenewAsync(expired);
        }
    }

    private async Task RenewAsync(ZkClient expired)
    {
        expired.ConnectionStateChanged -= OnStateChanged;
        if (_ownsClients) await expired.DisposeAsync().ConfigureAwait(false);
        var fresh = Attach(_factory!());
        lock (_lock)
        {
            if (_disposed.IsCancellationRequested)
            {
                _ = fresh.DisposeAsync().AsTask();
                return;
            }
            _current = fresh;
        }
        Raise(() => SessionRenewed?.Invoke(this, fresh));
    }

    /// <summary>Raises an event after the earlier ones, on the thread pool; a handler's exception is its own.</summary>
    private void Raise(Action raise)
    {
        lock (_lock)
        {
            _events = _events.ContinueWith(_ =>
            {
                try
                {
                    raise();
                }
                catch (Exception)
                {
                    // A listener's failure is its own; the others carry on.
                }
            }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    /// <summary>Stops renewing; closes the current client if the source made it (a source over one client leaves it to its owner).</summary>
    public async ValueTask DisposeAsync()
    {
        Task renewing;
        ZkClient current;
        lock (_lock)
        {
            if (_disposed.IsCancellationRequested) return;
            _disposed.Cancel();
            renewing = _renewing;
            current = _current;
        }
        await renewing.ConfigureAwait(false);
        current.ConnectionStateChanged -= OnStateChanged;
        if (_ownsClients) await Client.DisposeAsync().ConfigureAwait(false);
    }
}
