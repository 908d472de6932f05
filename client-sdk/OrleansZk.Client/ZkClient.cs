using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
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
/// taken effect. When the client learns that its connection is lost (see
/// <see cref="ZkClientState.Suspended"/>) it fails every outstanding call with ConnectionLoss at
/// once, rather than at <see cref="ZkClientOptions.RequestTimeout"/>.</para>
/// <para>Connection states: <see cref="State"/>, and <see cref="ConnectionStateChanged"/> for each change.</para>
/// <para>Thread-safe: any number of calls may run at once.</para>
/// </remarks>
public sealed partial class ZkClient : IAsyncDisposable
{
    private readonly IClusterClient _cluster;
    private readonly GrainRefs _refs;
    private readonly ZkClientOptions _options;
    private readonly IHost? _ownedHost;
    private readonly RequestOrder _order = new();
    private readonly Lock _lock = new();
    private SessionSlot? _session;
    private Task? _closing;
    private long _lastZxid;
    private volatile int _authVersion;

    /// <summary>The replica this client sends writes to: the leader as last learnt (0: ask the service).</summary>
    private long _leader;

    /// <summary>The identities this client proved (addauth), proved again after a reconnect: they are the leader's, and a new leader has none.</summary>
    private readonly List<(string Scheme, byte[] Auth)> _auths = [];

    /// <summary>A client over an Orleans client the caller owns and has started. It opens its session on first use (or <see cref="ConnectAsync(CancellationToken)"/>).</summary>
    /// <remarks>
    /// It learns of a dropped gateway connection from Orleans at once when the Orleans client's
    /// container was set up with <see cref="ZkClientServiceCollectionExtensions.AddOrleansZkClient(Microsoft.Extensions.DependencyInjection.IServiceCollection, Action{ZkClientOptions})"/>;
    /// otherwise from its pings (a failed ping, or none answered for two thirds of the session timeout).
    /// </remarks>
    /// <exception cref="BadArgumentsException"><see cref="ZkClientOptions.SessionId"/> is set without a 1 to 64 byte <see cref="ZkClientOptions.SessionPassword"/>.</exception>
    public ZkClient(IClusterClient cluster, ZkClientOptions? options = null)
        : this(cluster, options, ownedHost: null)
    {
    }

    private ZkClient(IClusterClient cluster, ZkClientOptions? options, IHost? ownedHost)
    {
        _cluster = cluster ?? throw new ArgumentNullException(nameof(cluster));
        _refs = new GrainRefs(cluster);
        _options = options ?? new ZkClientOptions();
        _ownedHost = ownedHost;
        if (_options.SessionId != 0)
        {
            if (_options.SessionPassword is not { Length: > 0 and <= 64 } password)
                throw new BadArgumentsException(null, "resuming a session needs its password (1 to 64 bytes)");
            _resume = (_options.SessionId, password.ToArray());
        }
        _lastZxid = Math.Max(0, _options.LastZxidSeen);
        // Proven when the session opens (OpenSessionAsync), and again after every reconnect with the others.
        if (_options.ClientAddress is { } address) _auths.Add((IpScheme, System.Text.Encoding.UTF8.GetBytes(address)));
        _monitor = cluster.ServiceProvider?.GetServices<IClusterConnectionStatusObserver>().OfType<ZkConnectionMonitor>().FirstOrDefault();
        // Inside a silo: the replica and partitions activated there are called without Orleans' messaging.
        _local = cluster.ServiceProvider?.GetService<IZkLocalCalls>();
        _monitor?.Add(this);
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
    /// Opens the session if it is not open yet — creates one, or resumes <see cref="ZkClientOptions.SessionId"/>
    /// (idempotent: concurrent callers share one attempt; after a failed attempt the next call tries
    /// again). Every operation calls it implicitly.
    /// </summary>
    /// <exception cref="ConnectionLossException">The service could not be reached, or the client is closed.</exception>
    /// <exception cref="SessionExpiredException">The session to resume is gone (expired, closed, unknown) or its password does not match.</exception>
    public Task ConnectAsync(CancellationToken ct = default)
    {
        Task<SessionInfo> opened;
        lock (_lock)
        {
            opened = CurrentSessionLocked().Opened;
        }
        return AwaitReply(opened, null, ct);
    }

    /// <summary>
    /// Closes the session: the service deletes its ephemeral nodes at once. Idempotent (later calls
    /// return the same task); every other call made afterwards fails with SessionExpiredException
    /// ("client closed"), as ZooKeeper's client answers calls on a closed handle. A client made by
    /// <see cref="ConnectAsync(string, ZkClientOptions?, CancellationToken)"/> also stops its Orleans client. Writes called before the close are applied before it.
    /// The state becomes <see cref="ZkClientState.Closed"/> at once.
    /// </summary>
    /// <exception cref="ZkException">The closeSession did not reach the service (its ephemerals then go when the session expires).</exception>
    public Task CloseAsync()
    {
        lock (_lock)
        {
            if (_closing != null) return _closing;
            var close = _session is { Opened.IsFaulted: false, Opened.IsCanceled: false } session && _state != ZkClientState.Expired
                ? SubmitOrderedLocked(session, (replica, id, xid) => replica.Submit(id, xid, new CloseSessionRequest()))
                : (Issued<WriteReply>?)null;
            TransitionLocked(ZkClientState.Closed);
            _closing = FinishCloseAsync(close);
        }
        EndWatches(expired: false);
        lock (_lock)
        {
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

    private async Task FinishCloseAsync(Issued<WriteReply>? close)
    {
        // Stop pinging, but keep hearing of a lost gateway until the close is answered, so it fails fast too.
        _ = _heartbeats.CancelAsync();
        try
        {
            if (close is not { } sent) return;
            var reply = await AwaitReply(sent, CancellationToken.None, leader: true).ConfigureAwait(false);
            if (reply.Code is not (ZkErrorCode.Ok or ZkErrorCode.SessionExpired)) throw ZkFailures.ForWrite(reply, null);
        }
        finally
        {
            _monitor?.Remove(this);
            if (_ownedHost != null) await StopOwnedHostAsync(_ownedHost).ConfigureAwait(false);
        }
    }

    /// <summary>The session every call goes through, opening it on first use and again after a failed attempt.</summary>
    private SessionSlot CurrentSessionLocked()
    {
        if (_closing != null) throw ZkFailures.Closed();
        if (_state == ZkClientState.Expired) throw ExpiredFailure();
        if (_session == null || _session.Opened.IsFaulted || _session.Opened.IsCanceled)
        {
            // A resumed session's first request restarts the replica's gate for this client's xids:
            // it goes alone, so that no later one can overtake it.
            _session = new SessionSlot(OpenSessionAsync(_link)) { FenceNext = _resume != null };
        }
        return _session;
    }

    private async Task<SessionInfo> OpenSessionAsync(Link link)
    {
        // The leader takes sessions; during an election the open waits for one (within the request timeout).
        var deadline = NowMs + (long)_options.RequestTimeout.TotalMilliseconds;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var replica = _refs.Replica(await LeaderAsync(refresh: attempt > 0, link).ConfigureAwait(false));
                SessionInfo info;
                if (_resume is var (id, password))
                {
                    info = await AwaitReply(replica.ResumeSession(id, password), link, CancellationToken.None, leader: true).ConfigureAwait(false)
                        ?? throw OnExpired($"session 0x{id:x} cannot be resumed: it expired or was closed, or the password does not match");
                }
                else
                {
                    info = await AwaitReply(replica.CreateSession(_options.SessionTimeoutMs, RandomNumberGenerator.GetBytes(16)), link, CancellationToken.None, leader: true)
                        .ConfigureAwait(false);
                }
                Volatile.Write(ref _leader, info.Service.ReplicaId);
                if (_options.ClientAddress is { } address)
                {
                    // The address is proven before any request of the session is sent (they wait for this open).
                    var proven = await AwaitReply(replica.AddAuth(info.SessionId, IpScheme, System.Text.Encoding.UTF8.GetBytes(address)), link, CancellationToken.None, leader: true)
                        .ConfigureAwait(false);
                    if (proven.Code == ZkErrorCode.SessionExpired) throw OnExpired($"session 0x{info.SessionId:x} expired");
                    if (proven.Code != ZkErrorCode.Ok) throw new BadArgumentsException(null, $"client address \"{address}\" refused: {proven.Code}");
                    _authVersion = proven.AuthVersion;
                }
                FoldZxid(info.Zxid);
                OnOpened(info);
                return info;
            }
            catch (LeaderChangedException e) when (NowMs < deadline)
            {
                // Not admitted anywhere: safe to try the leader it names, or to wait out the election.
                if (e.LeaderId == null) await Task.Delay(ElectionPollMs).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The addauth scheme of <see cref="ZkClientOptions.ClientAddress"/>.</summary>
    private const string IpScheme = "ip";

    /// <summary>How often a client without a leader asks again during an election.</summary>
    private const int ElectionPollMs = 100;

    /// <summary>
    /// The leader to send to: as last learnt (or the configured hint), else — or when
    /// <paramref name="refresh"/> — as the service reports it from the silo this client reaches.
    /// Throws <see cref="LeaderChangedException"/> (ConnectionLoss) during an election.
    /// </summary>
    private async Task<long> LeaderAsync(bool refresh, Link? link)
    {
        if (!refresh && Volatile.Read(ref _leader) is var known and not 0) return known;
        if (!refresh && _options.ReplicaId != 0) return _options.ReplicaId;
        var info = await AwaitReply(ServiceGrain().FindLeader(refresh), link, CancellationToken.None).ConfigureAwait(false);
        if (info.LeaderId is not { } leader) throw new LeaderChangedException(null, "an election is in progress");
        Volatile.Write(ref _leader, leader);
        return leader;
    }

    /// <summary>
    /// The service grain to ask, one of a few keys in turn: Orleans sends all calls to one grain
    /// through one gateway, and a question stuck on a frozen gateway must not hold back the next.
    /// </summary>
    private IZkServiceGrain ServiceGrain() => _cluster.GetGrain<IZkServiceGrain>((uint)Interlocked.Increment(ref _serviceAsks) % ServiceKeys);

    private const int ServiceKeys = 7;
    private int _serviceAsks;

    /// <summary>
    /// Issues a replica call ordered with the session's writes (a write, sync or closeSession). Its
    /// xid is taken here, in the caller's synchronous step, so xids follow call order; the call is
    /// then sent as soon as the session is open and every earlier addauth has completed — always,
    /// even if the caller stops waiting, since the replica holds back every later xid of the
    /// session until this one arrives — unless the connection was lost before then: a call already
    /// failed with ConnectionLoss is never sent after the loss. The reply's zxid is folded in before
    /// later reads are released.
    /// </summary>
    private Issued<WriteReply> SubmitOrdered(Func<IZkReplicaGrain, long, int, Task<WriteReply>> send)
    {
        lock (_lock)
        {
            return SubmitOrderedLocked(CurrentSessionLocked(), send);
        }
    }

    private Issued<WriteReply> SubmitOrderedLocked(SessionSlot session, Func<IZkReplicaGrain, long, int, Task<WriteReply>> send)
    {
        var xid = ++session.LastXid;
        // After a reconnect or a resume the replica may restart its gate at the first xid it sees
        // (a restarted replica does): that request goes alone, as an addauth does.
        var ticket = session.FenceNext ? _order.IssueFence() : _order.IssueWrite();
        session.FenceNext = false;
        if (LoseSendsForTest > 0)
        {
            LoseSendsForTest--;
            send = static (_, _, _) => new TaskCompletionSource<WriteReply>().Task;
        }
        var link = _link;
        var call = SendWhenReady(session.Opened, ticket.Ready, link, info => send(Replica(info), info.SessionId, xid));
        return new(Track(call, ticket.Seq, reply => FoldZxid(reply.Zxid)), link);
    }

    /// <summary>
    /// Issues an addauth: sent after every earlier ordered request, and every later one waits for it.
    /// One that succeeds is <paramref name="remember"/>ed, to be proved again after a reconnect.
    /// </summary>
    private Issued<AuthReply> SubmitAuth(string scheme, byte[] auth, bool remember = true)
    {
        lock (_lock)
        {
            var session = CurrentSessionLocked();
            var ticket = _order.IssueAuth();
            var link = _link;
            var call = SendWhenReady(session.Opened, ticket.Ready, link, info => Replica(info).AddAuth(info.SessionId, scheme, auth));
            return new(Track(call, ticket.Seq, reply =>
            {
                if (reply.Code != ZkErrorCode.Ok) return;
                _authVersion = reply.AuthVersion;
                if (!remember) return;
                lock (_lock) _auths.Add((scheme, auth));
            }), link);
        }
    }

    /// <summary>
    /// Issues a read-like call: sent at once if no write is outstanding, else once the earlier ones
    /// have completed (and <paramref name="after"/>, when given: its place in the order is taken now,
    /// so a watch-setting read waiting for the watch stream is still ordered as called); later writes
    /// wait for it.
    /// </summary>
    private Issued<T> SendRead<T>(Func<SessionInfo, Task<T>> send, Task? after = null)
    {
        Task<SessionInfo> opened;
        Ticket ticket;
        Link link;
        lock (_lock)
        {
            opened = CurrentSessionLocked().Opened;
            ticket = _order.IssueRead();
            link = _link;
        }
        var ready = after is null || after.IsCompletedSuccessfully ? ticket.Ready : Task.WhenAll(ticket.Ready, after);
        return new(TrackRead(SendWhenReady(opened, ready, link, send), ticket.Seq), link);
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

    private static Task<T> SendWhenReady<T>(Task<SessionInfo> opened, Task ready, Link link, Func<SessionInfo, Task<T>> send)
    {
        if (!ready.IsCompletedSuccessfully || !opened.IsCompletedSuccessfully) return SendLaterAsync(opened, ready, link, send);
        try
        {
            return send(opened.Result);
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
    }

    private static async Task<T> SendLaterAsync<T>(Task<SessionInfo> opened, Task ready, Link link, Func<SessionInfo, Task<T>> send)
    {
        await ready.ConfigureAwait(false);
        var info = await opened.ConfigureAwait(false);
        // Its caller was told ConnectionLoss when the connection went: never send it after that.
        if (link.IsLost) throw link.Failure();
        return await send(info).ConfigureAwait(false);
    }

    /// <summary>
    /// Marks the ordered request done (releasing the requests behind it) once its call completes,
    /// after absorbing its reply. (A lost connection gives up every request issued on it at once:
    /// <see cref="RequestOrder.GiveUpIssued"/>.)
    /// </summary>
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

    private Task<T> AwaitReply<T>(Issued<T> issued, CancellationToken ct, bool leader = false) => AwaitReply(issued.Call, issued.Link, ct, leader);

    /// <summary>
    /// Waits for a call's reply within <see cref="ZkClientOptions.RequestTimeout"/> — failing at
    /// once if the link it was issued on is lost first — translating failures into ZooKeeper's errors.
    /// A reply from the <paramref name="leader"/> is contact with the session's keeper (partitions and
    /// the service grain answer from any silo: their replies say nothing of whether the leader hears).
    /// </summary>
    private async Task<T> AwaitReply<T>(Task<T> call, Link? link, CancellationToken ct, bool leader = false)
    {
        using var linked = link != null && ct.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(ct, link.Token) : null;
        var token = linked?.Token ?? link?.Token ?? ct;
        try
        {
            var reply = await call.WaitAsync(_options.RequestTimeout, token).ConfigureAwait(false);
            if (leader) NoteContact();
            return reply;
        }
        catch (OperationCanceledException) when (link is { IsLost: true } && !ct.IsCancellationRequested && !call.IsCompleted)
        {
            _ = call.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw link.Failure();
        }
        catch (OperationCanceledException) when (link is { IsLost: true } && !ct.IsCancellationRequested)
        {
            // The call completed just as the link went: its own outcome stands.
            return await AwaitReply(call, null, ct, leader).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!call.IsCompleted)
        {
            ProbeSoon();
            throw new ConnectionLossException(null, $"no reply within {_options.RequestTimeout.TotalMilliseconds:0} ms");
        }
        catch (Exception e) when (ZkFailures.Translate(e) is var translated && translated != e)
        {
            // A replica that is not (or no longer) the leader refused the call: contact with the
            // leader is lost; the heartbeat finds the new one and the session reconnects there.
            if (translated is LeaderChangedException changed && link != null) OnLeaderChanged(changed);
            else if (translated is ConnectionLossException) ProbeSoon();
            throw translated;
        }
    }

    /// <summary>The leader as last learnt (the replica the session opened on, until a reconnect finds another).</summary>
    private IZkReplicaGrain Replica(SessionInfo info) =>
        _refs.Replica(Volatile.Read(ref _leader) is var leader and not 0 ? leader : info.Service.ReplicaId);

    private IZkPartitionGrain Partition(SessionInfo info, string path) =>
        _refs.Partition(PathHash.PartitionOf(path, info.Service.Partitions));

    /// <summary>A read of a path's partition: answered in this silo when the partition is here and can (<see cref="IZkLocalCalls"/>), else by a grain call.</summary>
    private Task<ReadReply> ReadPartition(SessionInfo info, ReadCall call)
    {
        var partition = PathHash.PartitionOf(call.Path, info.Service.Partitions);
        return _local != null && _local.TryRead(partition, call, out var reply)
            ? Task.FromResult(reply)
            : _refs.Partition(partition).Read(call);
    }

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

    /// <summary>A call issued on <paramref name="Link"/>: it fails at once when that link is lost.</summary>
    private readonly record struct Issued<T>(Task<T> Call, Link Link);

    /// <summary>One attempt at a session, and the xids handed out in it (the replica expects 1, 2, 3, ... per client).</summary>
    private sealed class SessionSlot(Task<SessionInfo> opened)
    {
        public Task<SessionInfo> Opened { get; } = opened;

        /// <summary>The last xid taken; xids go on across reconnects (the replica's gate skips the ones that never arrived).</summary>
        public int LastXid;

        /// <summary>The next ordered request goes alone (<see cref="RequestOrder.IssueFence"/>); guarded by the client's lock.</summary>
        public bool FenceNext;
    }
}
