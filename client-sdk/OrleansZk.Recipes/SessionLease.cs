using System.Runtime.CompilerServices;
using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.Recipes;

/// <summary>
/// How long this client may still act as the holder of something bound to its session: the safe
/// bound. One per client, shared by every holding on it.
/// </summary>
/// <remarks>
/// <para>While anything is held or awaited it confirms the session every sixth of the timeout
/// with a linearizable read: the leader touches the session (its deadline becomes at least the
/// send time plus the timeout) and confirms with a quorum that it still leads, so no later leader
/// can have given the session an earlier deadline. A confirmation of a request sent at S makes the
/// holdings valid until S + <see cref="ZkSessionSource.SafeBoundFraction"/> × timeout on this
/// process's monotonic clock.</para>
/// <para>Every holding is lost — its token cancelled, once — when that time passes without a newer
/// confirmation (checked by a timer, and synchronously by <see cref="Holding.IsLost"/>, so a process
/// that was frozen sees it at once), when the session expires or the client closes. Suspended only
/// marks the holdings "maybe lost"; a confirmation in time clears it.</para>
/// </remarks>
internal sealed class SessionLease
{
    private static readonly ConditionalWeakTable<ZkClient, SessionLease> Leases = new();

    private readonly ZkClient _client;
    private readonly double _fraction;
    private readonly Lock _lock = new();
    private readonly HashSet<Holding> _holdings = [];
    private readonly Timer _timer;
    private long _validUntilMs;
    private int _interest;
    private bool _renewing;
    private bool _ended;

    private SessionLease(ZkClient client, double fraction)
    {
        _client = client;
        _fraction = fraction;
        _timer = new Timer(_ => CheckBound(), null, Timeout.Infinite, Timeout.Infinite);
        client.ConnectionStateChanged += OnStateChanged;
    }

    /// <summary>The lease of <paramref name="client"/> (made on first use with the source's bound).</summary>
    public static SessionLease Of(ZkClient client, ZkSessionSource source) =>
        Leases.GetValue(client, c => new SessionLease(c, source.SafeBoundFraction));

    /// <summary>Test hook: while set, no confirmation is sent (as if the leader could not be reached).</summary>
    internal bool RenewalsPaused { get; set; }

    internal static long NowMs => Environment.TickCount64;

    /// <summary>Whether holdings are valid now: confirmed recently enough, and the session not ended.</summary>
    public bool IsValid
    {
        get
        {
            lock (_lock) return !_ended && NowMs < _validUntilMs;
        }
    }

    /// <summary>Declares interest (a waiter or a holder): confirmations run until every interest is released.</summary>
    public IDisposable Interest()
    {
        lock (_lock)
        {
            _interest++;
            StartRenewingLocked();
        }
        return new Release(this);
    }

    /// <summary>
    /// Confirms the session now (one linearizable read) and returns whether holdings are valid
    /// afterwards; a failed confirmation leaves the earlier bound standing.
    /// </summary>
    public async Task<bool> ConfirmAsync(CancellationToken ct)
    {
        var sent = NowMs;
        try
        {
            await _client.ExistsAsync("/", ReadConsistency.Linearizable, ct).ConfigureAwait(false);
            Extend(sent);
        }
        catch (ConnectionLossException)
        {
            // Not confirmed: the bound stays where it was.
        }
        return IsValid;
    }

    /// <summary>Registers a holding: it is lost when the bound passes or the session ends.</summary>
    public Holding Hold(string what)
    {
        var holding = new Holding(this, what);
        lock (_lock)
        {
            if (_ended) holding.Lose("the session ended");
            else if (NowMs >= _validUntilMs) holding.Lose(BoundPassed());
            else _holdings.Add(holding);
        }
        return holding;
    }

    internal void Forget(Holding holding)
    {
        lock (_lock) _holdings.Remove(holding);
    }

    private void Extend(long sentMs)
    {
        var timeout = _client.SessionTimeoutMs;
        if (timeout <= 0) return;
        lock (_lock)
        {
            if (_ended || RenewalsPaused) return;
            var until = sentMs + (long)(_fraction * timeout);
            if (until <= _validUntilMs) return;
            _validUntilMs = until;
            foreach (var h in _holdings) h.Suspended = false;
            _timer.Change(Math.Max(0, until - NowMs + 1), Timeout.Infinite);
        }
    }

    private void CheckBound()
    {
        List<Holding> lost;
        lock (_lock)
        {
            if (NowMs < _validUntilMs || _holdings.Count == 0) return;
            lost = [.. _holdings];
            _holdings.Clear();
        }
        foreach (var h in lost) h.Lose(BoundPassed());
    }

    private string BoundPassed() =>
        $"no confirmation of session 0x{_client.SessionId:x} within the safe bound ({_fraction:0.##} of {_client.SessionTimeoutMs} ms)";

    /// <summary>Checked by a holding on every <see cref="Holding.IsLost"/>: a frozen process sees at once that its bound passed.</summary>
    internal bool Passed(Holding holding)
    {
        lock (_lock)
        {
            if (!_ended && NowMs < _validUntilMs) return false;
        }
        CheckBound();
        return true;
    }

    private void OnStateChanged(object? sender, ZkConnectionStateChangedEventArgs e)
    {
        List<Holding> affected;
        lock (_lock)
        {
            affected = [.. _holdings];
            if (e.State.IsFinal())
            {
                _ended = true;
                _holdings.Clear();
            }
        }
        switch (e.State)
        {
            case ZkClientState.Expired or ZkClientState.Closed:
                foreach (var h in affected) h.Lose($"session 0x{e.SessionId:x} {(e.State == ZkClientState.Expired ? "expired" : "was closed")}");
                break;
            case ZkClientState.Suspended:
                foreach (var h in affected) h.Suspended = true;
                break;
            case ZkClientState.Reconnected:
                _ = ConfirmAsync(CancellationToken.None);
                break;
        }
    }

    private void StartRenewingLocked()
    {
        if (_renewing || _ended) return;
        _renewing = true;
        _ = RenewLoopAsync();
    }

    private async Task RenewLoopAsync()
    {
        try
        {
            while (true)
            {
                lock (_lock)
                {
                    if (_interest == 0 || _ended)
                    {
                        _renewing = false;
                        return;
                    }
                }
                if (!RenewalsPaused) await ConfirmAsync(CancellationToken.None).ConfigureAwait(false);
                var timeout = _client.SessionTimeoutMs;
                await Task.Delay(Math.Clamp(timeout / 6, 50, 5_000)).ConfigureAwait(false);
            }
        }
        catch (ZkException)
        {
            // Expired or closed: the state event ends every holding.
            lock (_lock) _renewing = false;
        }
    }

    private sealed class Release(SessionLease lease) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 1) return;
            lock (lease._lock) lease._interest--;
        }
    }
}

/// <summary>One thing held on a session (a lock, a lease, a leadership): its Lost signal.</summary>
internal sealed class Holding : IDisposable
{
    private readonly SessionLease _lease;
    private readonly CancellationTokenSource _lost = new();
    private string? _reason;

    internal Holding(SessionLease lease, string what)
    {
        _lease = lease;
        What = what;
    }

    public string What { get; }

    /// <summary>Cancelled once, when the holding is lost.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>Why it was lost (null while held).</summary>
    public string? Reason => Volatile.Read(ref _reason);

    /// <summary>Suspended and not confirmed since: maybe lost.</summary>
    public bool Suspended { get; set; }

    /// <summary>Lost now: signalled, or the safe bound has passed (which signals it).</summary>
    public bool IsLost => Reason != null || _lease.Passed(this);

    public void Lose(string reason)
    {
        if (Interlocked.CompareExchange(ref _reason, reason, null) != null) return;
        _lease.Forget(this);
        // Listeners run on the thread pool, never on the thread that noticed the loss.
        _ = Task.Run(() => _lost.Cancel());
    }

    /// <summary>Given up by its holder (released): no longer tracked, and its Lost fires.</summary>
    public void Dispose() => Lose("released");
}
