using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Orleans;
using OrleansZk.Core;

namespace OrleansZk.Client;

/// <summary>
/// A ZooKeeper-style client of an OrleansZk service: one session, its writes in FIFO order, reads
/// straight from the partition grains, and the last zxid it has seen.
/// </summary>
/// <remarks>
/// <para>Ordering (ZooKeeper's guarantees): every write takes the session's next xid at the moment
/// it is called — before the returned task is awaited — and the replica applies the session's writes
/// in xid order, so calls may be pipelined freely. A read called while earlier writes, syncs or
/// addauths of this client are outstanding is sent once they have completed, so it sees them; a
/// read called with none outstanding is sent at once, and a write called while earlier reads are
/// outstanding waits for them, so no read sees a later write. Every read carries the client's last zxid, so
/// no read returns older state than the client has already seen.</para>
/// <para>Failures: every call fails with a <see cref="ZkException"/> subtype carrying ZooKeeper's
/// code. Orleans timeouts and unreachable silos surface as <see cref="ConnectionLossException"/>;
/// a write is never retried, so after a ConnectionLoss (or a cancellation) it may or may not have
/// taken effect.</para>
/// <para>Thread-safe: any number of calls may run at once.</para>
/// </remarks>
public sealed partial class ZkClient : IAsyncDisposable
{
    private readonly IClusterClient _cluster;
    private readonly ZkClientOptions _options;
    private readonly IHost? _ownedHost;
    private readonly RequestOrder _order = new();
    private readonly Lock _lock = new();
    private SessionSlot? _session;
    private Task? _closing;
    private long _lastZxid;
    private volatile int _authVersion;
    private volatile bool _expired;
    private readonly CancellationTokenSource _heartbeats = new();

    /// <summary>A client over an Orleans client the caller owns and has started. It opens its session on first use (or <see cref="ConnectAsync(CancellationToken)"/>).</summary>
    public ZkClient(IClusterClient cluster, ZkClientOptions? options = null)
        : this(cluster, options, ownedHost: null)
    {
    }

    private ZkClient(IClusterClient cluster, ZkClientOptions? options, IHost? ownedHost)
    {
        _cluster = cluster ?? throw new ArgumentNullException(nameof(cluster));
        _options = options ?? new ZkClientOptions();
        _ownedHost = ownedHost;
    }

    /// <summary>Where the session stands.</summary>
    public ZkClientState State
    {
        get
        {
            lock (_lock)
            {
                if (_closing != null) return ZkClientState.Closed;
                if (_expired) return ZkClientState.Expired;
                return OpenedSession != null ? ZkClientState.Connected : ZkClientState.NotConnected;
            }
        }
    }

    /// <summary>The session's id; 0 before the session opens.</summary>
    public long SessionId => OpenedSession?.SessionId ?? 0;

    /// <summary>The session's password (a copy; empty before the session opens).</summary>
    public byte[] SessionPassword => OpenedSession?.Password.ToArray() ?? [];

    /// <summary>The session timeout the service granted, in milliseconds; 0 before the session opens.</summary>
    public int SessionTimeoutMs => OpenedSession?.TimeoutMs ?? 0;

    /// <summary>The highest zxid this client has seen in any reply.</summary>
    public long LastZxid => Interlocked.Read(ref _lastZxid);

    private SessionInfo? OpenedSession => _session?.Opened is { IsCompletedSuccessfully: true } opened ? opened.Result : null;

    /// <summary>
    /// Opens the session if it is not open yet (idempotent: concurrent callers share one attempt;
    /// after a failed attempt the next call tries again). Every operation calls it implicitly.
    /// </summary>
    /// <exception cref="ConnectionLossException">The service could not be reached, or the client is closed.</exception>
    public Task ConnectAsync(CancellationToken ct = default)
    {
        Task<SessionInfo> opened;
        lock (_lock)
        {
            opened = CurrentSessionLocked().Opened;
        }
        return AwaitReply(opened, ct);
    }

    /// <summary>
    /// Closes the session: the service deletes its ephemeral nodes at once. Idempotent (later calls
    /// return the same task); every other call made afterwards fails with ConnectionLossException
    /// ("client closed"). A client made by <see cref="ConnectAsync(string, ZkClientOptions?, CancellationToken)"/>
    /// also stops its Orleans client. Writes called before the close are applied before it.
    /// </summary>
    /// <exception cref="ZkException">The closeSession did not reach the service (its ephemerals then go when the session expires).</exception>
    public Task CloseAsync()
    {
        lock (_lock)
        {
            if (_closing != null) return _closing;
            var close = _session is { Opened.IsFaulted: false, Opened.IsCanceled: false } session
                ? SubmitOrderedLocked(session, (replica, id, xid) => replica.Submit(id, xid, new CloseSessionRequest()))
                : null;
            _heartbeats.Cancel();
            _closing = FinishCloseAsync(close);
            return _closing;
        }
    }

    /// <summary>Closes the client (<see cref="CloseAsync"/>), ignoring a failure to reach the service.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await CloseAsync().ConfigureAwait(false);
        }
        catch (ZkException)
        {
            // The session then expires by itself; disposal must not throw.
        }
    }

    private async Task FinishCloseAsync(Task<WriteReply>? close)
    {
        try
        {
            if (close == null) return;
            var reply = await AwaitReply(close, CancellationToken.None).ConfigureAwait(false);
            if (reply.Code is not (ZkErrorCode.Ok or ZkErrorCode.SessionExpired)) throw ZkFailures.ForWrite(reply, null);
        }
        finally
        {
            if (_ownedHost != null) await StopOwnedHostAsync(_ownedHost).ConfigureAwait(false);
        }
    }

    /// <summary>The session every call goes through, opening it on first use and again after a failed attempt.</summary>
    private SessionSlot CurrentSessionLocked()
    {
        if (_closing != null) throw ZkFailures.Closed();
        if (_expired) throw new SessionExpiredException(null, $"session 0x{SessionId:x} expired");
        if (_session == null || _session.Opened.IsFaulted || _session.Opened.IsCanceled)
            _session = new SessionSlot(OpenSessionAsync());
        return _session;
    }

    private async Task<SessionInfo> OpenSessionAsync()
    {
        var replica = _cluster.GetGrain<IZkReplicaGrain>(_options.ReplicaId);
        var info = await AwaitReply(replica.CreateSession(_options.SessionTimeoutMs, RandomNumberGenerator.GetBytes(16)), CancellationToken.None)
            .ConfigureAwait(false);
        FoldZxid(info.Zxid);
        _ = HeartbeatAsync(info, _heartbeats.Token);
        return info;
    }

    /// <summary>
    /// Keeps the session alive: a ping every third of its timeout (ZooKeeper's client pings after a
    /// third of it idle; reads do not reach the replica here, so this one always pings). A lost
    /// ping is retried at the next beat; the service's "expired" ends the session for good.
    /// </summary>
    private async Task HeartbeatAsync(SessionInfo info, CancellationToken ct)
    {
        var interval = TimeSpan.FromMilliseconds(Math.Max(1, info.TimeoutMs / 3));
        var replica = Replica(info);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, ct).ConfigureAwait(false);
                var code = await replica.Ping(info.SessionId).WaitAsync(interval, ct).ConfigureAwait(false);
                if (code == ZkErrorCode.SessionExpired)
                {
                    _expired = true;
                    return;
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // Unreachable for now (timeout, gateway down): the next beat tries again.
            }
        }
    }

    /// <summary>
    /// Issues a replica call ordered with the session's writes (a write, sync or closeSession). Its
    /// xid is taken here, in the caller's synchronous step, so xids follow call order; the call is
    /// then sent as soon as the session is open and every earlier addauth has completed — always,
    /// even if the caller stops waiting, since the replica holds back every later xid of the
    /// session until this one arrives. The reply's zxid is folded in before later reads are released.
    /// </summary>
    private Task<WriteReply> SubmitOrdered(Func<IZkReplicaGrain, long, int, Task<WriteReply>> send)
    {
        lock (_lock)
        {
            return SubmitOrderedLocked(CurrentSessionLocked(), send);
        }
    }

    private Task<WriteReply> SubmitOrderedLocked(SessionSlot session, Func<IZkReplicaGrain, long, int, Task<WriteReply>> send)
    {
        var xid = ++session.LastXid;
        var ticket = _order.IssueWrite();
        var call = SendWhenReady(session.Opened, ticket.Ready, info => send(Replica(info), info.SessionId, xid));
        return Track(call, ticket.Seq, reply => FoldZxid(reply.Zxid));
    }

    /// <summary>Issues an addauth: sent after every earlier ordered request, and every later one waits for it.</summary>
    private Task<AuthReply> SubmitAuth(string scheme, byte[] auth)
    {
        lock (_lock)
        {
            var session = CurrentSessionLocked();
            var ticket = _order.IssueAuth();
            var call = SendWhenReady(session.Opened, ticket.Ready, info => Replica(info).AddAuth(info.SessionId, scheme, auth));
            return Track(call, ticket.Seq, reply =>
            {
                if (reply.Code == ZkErrorCode.Ok) _authVersion = reply.AuthVersion;
            });
        }
    }

    /// <summary>Issues a read-like call: sent at once if no write is outstanding, else once the earlier ones have completed; later writes wait for it.</summary>
    private Task<T> SendRead<T>(Func<SessionInfo, Task<T>> send)
    {
        Task<SessionInfo> opened;
        Ticket ticket;
        lock (_lock)
        {
            opened = CurrentSessionLocked().Opened;
            ticket = _order.IssueRead();
        }
        return TrackRead(SendWhenReady(opened, ticket.Ready, send), ticket.Seq);
    }

    private async Task<T> TrackRead<T>(Task<T> call, long seq)
    {
        try
        {
            return await call.ConfigureAwait(false);
        }
        finally
        {
            _order.CompleteRead(seq);
        }
    }

    private static Task<T> SendWhenReady<T>(Task<SessionInfo> opened, Task ready, Func<SessionInfo, Task<T>> send)
    {
        if (!ready.IsCompleted || !opened.IsCompletedSuccessfully) return SendLaterAsync(opened, ready, send);
        try
        {
            return send(opened.Result);
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
    }

    private static async Task<T> SendLaterAsync<T>(Task<SessionInfo> opened, Task ready, Func<SessionInfo, Task<T>> send)
    {
        await ready.ConfigureAwait(false);
        var info = await opened.ConfigureAwait(false);
        return await send(info).ConfigureAwait(false);
    }

    /// <summary>Marks the ordered request done (releasing the reads behind it) once its call completes, after absorbing its reply.</summary>
    private async Task<T> Track<T>(Task<T> call, long seq, Action<T> absorb)
    {
        try
        {
            var reply = await call.ConfigureAwait(false);
            absorb(reply);
            return reply;
        }
        finally
        {
            _order.Complete(seq);
        }
    }

    /// <summary>Waits for a call's reply within <see cref="ZkClientOptions.RequestTimeout"/>, translating failures into ZooKeeper's errors.</summary>
    private async Task<T> AwaitReply<T>(Task<T> call, CancellationToken ct)
    {
        try
        {
            return await call.WaitAsync(_options.RequestTimeout, ct).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!call.IsCompleted)
        {
            throw new ConnectionLossException(null, $"no reply within {_options.RequestTimeout.TotalMilliseconds:0} ms");
        }
        catch (Exception e) when (ZkFailures.Translate(e) is var translated && translated != e)
        {
            throw translated;
        }
    }

    private IZkReplicaGrain Replica(SessionInfo info) => _cluster.GetGrain<IZkReplicaGrain>(info.Service.ReplicaId);

    private IZkPartitionGrain Partition(SessionInfo info, string path) =>
        _cluster.GetGrain<IZkPartitionGrain>(PathHash.PartitionOf(path, info.Service.Partitions));

    private void FoldZxid(long zxid)
    {
        var seen = Interlocked.Read(ref _lastZxid);
        while (zxid > seen)
        {
            var prior = Interlocked.CompareExchange(ref _lastZxid, zxid, seen);
            if (prior == seen) return;
            seen = prior;
        }
    }

    /// <summary>One attempt at a session, and the xids handed out in it (the replica expects 1, 2, 3, ... per session).</summary>
    private sealed class SessionSlot(Task<SessionInfo> opened)
    {
        public Task<SessionInfo> Opened { get; } = opened;

        public int LastXid;
    }
}
