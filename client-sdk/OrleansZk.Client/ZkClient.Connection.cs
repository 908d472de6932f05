using OrleansZk.Core;

namespace OrleansZk.Client;

/// <summary>
/// The connection side of a client: its states and their events, the heartbeat that keeps the
/// session and probes the connection, and the fail-fast of outstanding calls when it is lost.
/// </summary>
public sealed partial class ZkClient
{
    private readonly (long Id, byte[] Password)? _resume;
    private readonly ZkConnectionMonitor? _monitor;
    private readonly IZkLocalCalls? _local;
    private readonly CancellationTokenSource _heartbeats = new();
    private readonly SemaphoreSlim _wake = new(0, 1);
    private volatile ZkClientState _state = ZkClientState.NotConnected;
    private Link _link = new();
    private Task _events = Task.CompletedTask;
    private long _sessionId;
    private string? _expiredDetail;
    private long _lastContactMs;
    private volatile bool _heartbeatsPaused;

    /// <summary>
    /// Raised for every change of <see cref="State"/>, in order and once each, on a thread-pool
    /// thread (never the caller's, never under the client's lock); the next is raised only after
    /// every handler of this one has returned. A handler's exception is ignored. Suspended and
    /// Expired are raised once every call they ended has failed. A client made by
    /// <see cref="ConnectAsync(string, ZkClientOptions?, CancellationToken)"/> is returned already
    /// <see cref="ZkClientState.Connected"/>, so subscribers see events from the next change on.
    /// </summary>
    public event EventHandler<ZkConnectionStateChangedEventArgs>? ConnectionStateChanged;

    /// <summary>Where the session and its connection stand now (<see cref="ConnectionStateChanged"/> follows each change shortly after).</summary>
    public ZkClientState State => _state;

    /// <summary>Test hook: while set, the heartbeat sends no pings (the session then expires at the service after its timeout).</summary>
    internal bool HeartbeatsPaused
    {
        get => _heartbeatsPaused;
        set => _heartbeatsPaused = value;
    }

    /// <summary>Test hook: how many of the next ordered requests take their xid but are never sent, as if lost with a gateway (guarded by the client's lock).</summary>
    internal int LoseSendsForTest { get; set; }

    /// <summary>Test hook: acts as if the connection was lost (what a dropped gateway or a failed ping does).</summary>
    internal void SimulateConnectionLoss(string reason) => OnConnectionLost(reason, probeNow: true);

    /// <summary>Completes once every state change so far has been raised.</summary>
    internal Task WhenStateEventsRaised()
    {
        lock (_lock)
        {
            return _events;
        }
    }

    private static long NowMs => Environment.TickCount64;

    /// <summary>
    /// Changes the state and queues its event behind the earlier ones — and behind
    /// <paramref name="after"/> (the failing of the calls a loss or an expiry ends), so that
    /// listeners hear of it only once those calls have failed. Raised outside the lock.
    /// </summary>
    private void TransitionLocked(ZkClientState next, Task? after = null)
    {
        var previous = _state;
        if (previous == next) return;
        _state = next;
        var change = new ZkConnectionStateChangedEventArgs(next, previous, _sessionId);
        var prior = after == null ? _events : Task.WhenAll(_events, after);
        _events = prior.ContinueWith(_ => Raise(change), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    private void Raise(ZkConnectionStateChangedEventArgs change)
    {
        if (ConnectionStateChanged is not { } handlers) return;
        foreach (var handler in handlers.GetInvocationList().Cast<EventHandler<ZkConnectionStateChangedEventArgs>>())
        {
            try
            {
                handler(this, change);
            }
            catch (Exception)
            {
                // A listener's failure is its own; the others and the client carry on.
            }
        }
    }

    /// <summary>The session is open (created or resumed): Connected, and the heartbeat starts.</summary>
    private void OnOpened(SessionInfo info)
    {
        lock (_lock)
        {
            if (_state != ZkClientState.NotConnected) return; // closed meanwhile
            _sessionId = info.SessionId;
            NoteContact();
            TransitionLocked(ZkClientState.Connected);
        }
        _ = HeartbeatAsync(info, _heartbeats.Token);
    }

    /// <summary>
    /// Contact is lost (a gateway connection closed, a ping failed or went unanswered): every call
    /// outstanding now fails with ConnectionLoss at once — their outcome is unknown, and none of
    /// them is sent afterwards — and a connected client becomes Suspended.
    /// </summary>
    internal void OnConnectionLost(string reason, bool probeNow)
    {
        lock (_lock)
        {
            if (_state == ZkClientState.Expired) return; // its calls failed with the expiry
            var failed = _link.Lose(() => new ConnectionLossException(null, reason));
            _link = new Link();
            _order.GiveUpIssued();
            if (_state.IsConnected()) TransitionLocked(ZkClientState.Suspended, after: failed);
            if (_session != null) _session.FenceNext = true;
        }
        if (probeNow) Wake();
    }

    /// <summary>
    /// A replica said it is not the leader: contact with the leader is lost (as when a gateway
    /// drops); the next probe goes to the leader it named, or asks the service where it is.
    /// </summary>
    private void OnLeaderChanged(LeaderChangedException e)
    {
        Volatile.Write(ref _leader, e.LeaderId ?? 0);
        OnConnectionLost(e.Detail ?? "the leader changed", probeNow: true);
    }

    /// <summary>A gateway connection opened: if suspended, probe now rather than at the next tick.</summary>
    internal void OnGatewayConnected()
    {
        if (_state == ZkClientState.Suspended) Wake();
    }

    /// <summary>The replica answered a ping with Ok: the session is alive and reachable.</summary>
    private void OnPingAnswered()
    {
        NoteContact();
        List<(string Scheme, byte[] Auth)> auths;
        lock (_lock)
        {
            if (_state != ZkClientState.Suspended) return;
            TransitionLocked(ZkClientState.Reconnected);
            // The leader may be new (or restarted), and then restarts its gate at the first xid it sees.
            if (_session != null) _session.FenceNext = true;
            auths = [.. _auths];
        }
        // Identities are the leader's: prove them again, before any later request (each addauth is a fence).
        foreach (var (scheme, auth) in auths) _ = ReproveAsync(scheme, auth);
        OnReconnectedWatches();
    }

    private async Task ReproveAsync(string scheme, byte[] auth)
    {
        try
        {
            var reply = await AwaitReply(SubmitAuth(scheme, auth, remember: false), CancellationToken.None, leader: true).ConfigureAwait(false);
            if (reply.Code != ZkErrorCode.Ok && reply.Code != ZkErrorCode.SessionExpired) OnAuthRefused();
        }
        catch (ZkException)
        {
            // Contact lost again: the next reconnect proves them again.
        }
    }

    /// <summary>
    /// The service said the session is gone: Expired for good, every outstanding call fails with
    /// SessionExpired, the heartbeat stops. Returns the exception for the caller that learnt it.
    /// </summary>
    private SessionExpiredException OnExpired(string detail)
    {
        lock (_lock)
        {
            if (_state.IsFinal()) return new SessionExpiredException(null, detail);
            _expiredDetail = detail;
            var failed = _link.Lose(() => new SessionExpiredException(null, detail));
            _link = new Link();
            _order.GiveUpIssued();
            TransitionLocked(ZkClientState.Expired, after: failed);
        }
        EndWatches(expired: true);
        _ = _heartbeats.CancelAsync();
        _monitor?.Remove(this);
        return new SessionExpiredException(null, detail);
    }

    private SessionExpiredException ExpiredFailure() =>
        new(null, _expiredDetail ?? $"session 0x{_sessionId:x} expired");

    /// <summary>The service refused an addauth; the session carries on.</summary>
    private void OnAuthRefused()
    {
        lock (_lock)
        {
            if (_state is ZkClientState.Connected or ZkClientState.Reconnected) TransitionLocked(ZkClientState.AuthFailed);
        }
    }

    /// <summary>The leader replied: the session's keeper heard from this client just now.</summary>
    private void NoteContact() => Volatile.Write(ref _lastContactMs, NowMs);

    /// <summary>A call failed with ConnectionLoss: if the client thinks it is connected, check with a ping now.</summary>
    private void ProbeSoon()
    {
        if (_state.IsConnected()) Wake();
    }

    private void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0) _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Another wake got there first; one is enough.
        }
    }

    /// <summary>
    /// Keeps the session alive and watches the connection. Connected, it pings every third of the
    /// timeout (ZooKeeper's client pings after a third of it idle; reads do not reach the replica
    /// here, so this one always pings) and declares the connection lost when a ping fails or no
    /// reply of any kind has come for two thirds of the timeout (ZooKeeper's read timeout).
    /// Suspended, it probes a fortieth of the timeout (at most 250 ms: a new leader is found soon
    /// after it serves) after the previous probe ended, each probe given a tenth of the timeout (at
    /// most a second), so that it reconnects well within the timeout. The service's "expired" ends
    /// the session for good.
    /// </summary>
    private async Task HeartbeatAsync(SessionInfo info, CancellationToken ct)
    {
        var beat = TimeSpan.FromMilliseconds(Math.Max(1, info.TimeoutMs / 3));
        var probeEvery = TimeSpan.FromMilliseconds(Math.Clamp(info.TimeoutMs / 40, 1, 250));
        var probe = TimeSpan.FromMilliseconds(Math.Clamp(info.TimeoutMs / 10, 1, 1_000));
        try
        {
            while (true)
            {
                await _wake.WaitAsync(_state == ZkClientState.Suspended ? probeEvery : beat, ct).ConfigureAwait(false);
                if (HeartbeatsPaused) continue;
                var suspended = _state == ZkClientState.Suspended;
                var (reply, failure) = await PingLeaderAsync(info, suspended ? probe : null, ct).ConfigureAwait(false);
                switch (reply?.Code)
                {
                    case ZkErrorCode.Ok:
                        OnPingAnswered();
                        OnPingEvents(reply);
                        break;
                    case ZkErrorCode.SessionExpired:
                        OnExpired($"session 0x{info.SessionId:x} expired");
                        return;
                    default:
                        OnConnectionLost(failure ?? $"ping answered {reply?.Code}", probeNow: false);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Closed or expired.
        }
    }

    /// <summary>
    /// Pings the leader as last learnt; a replica that says it is not the leader names the next one
    /// to try (at once), and when none is known the service is asked where the leader is.
    /// </summary>
    private async Task<(PingReply? Reply, string? Failure)> PingLeaderAsync(SessionInfo info, TimeSpan? probe, CancellationToken ct)
    {
        for (var hops = 0; ; hops++)
        {
            if (Volatile.Read(ref _leader) == 0)
            {
                try
                {
                    // A probe gives the question its own interval: the next probe asks again (another silo, perhaps).
                    var asking = LeaderAsync(refresh: true, link: null);
                    _ = asking.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                        TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    await (probe is { } within ? asking.WaitAsync(within, ct) : asking).ConfigureAwait(false);
                }
                catch (ZkException e)
                {
                    return (null, "no leader: " + e.Detail);
                }
                catch (TimeoutException)
                {
                    return (null, $"no leader: no answer within {probe!.Value.TotalMilliseconds:0} ms");
                }
            }
            var (reply, failure, notLeader) = await PingAsync(Replica(info), info, probe, ct).ConfigureAwait(false);
            // No answer at all: the leader may be gone (or stuck stopping); the next probe asks the service again.
            if (reply == null && notLeader == null) Volatile.Write(ref _leader, 0);
            if (notLeader == null) return (reply, failure);
            Volatile.Write(ref _leader, notLeader.LeaderId ?? 0);
            if (notLeader.LeaderId == null || hops >= 2) return (null, notLeader.Message);
        }
    }

    /// <summary>One ping: its code, or null and why it failed (an error, or no reply within <paramref name="probe"/> / two thirds of the timeout since the last contact).</summary>
    private async Task<(PingReply? Reply, string? Failure, NotLeaderException? NotLeader)> PingAsync(IZkReplicaGrain replica, SessionInfo info, TimeSpan? probe, CancellationToken ct)
    {
        Task<PingReply> ping;
        try
        {
            ping = replica.Ping(info.SessionId);
        }
        catch (Exception e)
        {
            return (null, "ping failed: " + Describe(e), null);
        }
        // Two thirds of the timeout without any reply (as pings go every third, a ping has a third
        // of the timeout to answer; at least that long if nothing was sent for a while).
        var silenceMs = 2L * info.TimeoutMs / 3;
        var sentMs = NowMs;
        while (true)
        {
            var deadlineMs = Math.Max(Volatile.Read(ref _lastContactMs) + silenceMs, sentMs + info.TimeoutMs / 3);
            var wait = probe ?? TimeSpan.FromMilliseconds(deadlineMs - NowMs);
            if (wait <= TimeSpan.Zero) return (null, $"no reply from the service for {NowMs - Volatile.Read(ref _lastContactMs)} ms", null);
            try
            {
                return (await ping.WaitAsync(wait, ct).ConfigureAwait(false), null, null);
            }
            catch (TimeoutException) when (!ping.IsCompleted)
            {
                // Other replies may have come meanwhile (the contact moved): then wait on.
                if (probe != null) return (null, $"no reply to a ping within {probe.Value.TotalMilliseconds:0} ms", null);
            }
            catch (NotLeaderException e)
            {
                return (null, e.Message, e);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // An unreachable replica (its silo died): the next probe asks where the leader is.
                if (e is ReplicaUnavailableException or Orleans.Runtime.SiloUnavailableException) Volatile.Write(ref _leader, 0);
                return (null, "ping failed: " + Describe(e), null);
            }
        }
    }

    private static string Describe(Exception e) =>
        ZkFailures.Translate(e) is ZkException { Detail: { } detail } ? detail : e.Message;

    /// <summary>
    /// One stretch of contact with the service. Every call is issued on the current link; when
    /// contact is lost the link is lost with it (failing the calls issued on it) and a new one begins.
    /// </summary>
    private sealed class Link
    {
        private readonly CancellationTokenSource _lost = new();
        private volatile Func<ZkException>? _failure;

        public CancellationToken Token => _lost.Token;

        public bool IsLost => _lost.IsCancellationRequested;

        /// <summary>A fresh exception for one failed call (exceptions are not shared between callers).</summary>
        public ZkException Failure() => _failure?.Invoke() ?? new ConnectionLossException(null, "connection lost");

        /// <summary>
        /// Fails the calls issued on this link. Safe under the client's lock: they are failed on the
        /// thread pool, and the returned task completes once they have been.
        /// </summary>
        public Task Lose(Func<ZkException> failure)
        {
            _failure = failure;
            return _lost.CancelAsync();
        }
    }
}
