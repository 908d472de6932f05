using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using OrleansZk.Core;

namespace OrleansZk.Grains;

/// <summary>
/// The client calls, all the leader's: sessions (create, resume, ping), writes and syncs through the
/// FIFO gate, addauth, and the linearizable-read barrier. On any other replica they throw
/// <see cref="NotLeaderException"/>; on a leader not yet serving they wait until it is.
/// </summary>
public sealed partial class ZkReplicaGrain
{
    public async Task<SessionInfo> CreateSession(int timeoutMs, byte[] password)
    {
        if (password is not { Length: > 0 and <= 64 })
            throw new ArgumentException("a session password is 1 to 64 bytes", nameof(password));
        var term = await ServingTermAsync();
        var timeout = Math.Clamp(timeoutMs, _options.EffectiveMinSessionTimeoutMs, _options.EffectiveMaxSessionTimeoutMs);
        var pending = new Pending(PendingKind.Write, 0, 0, new CreateSessionRequest(timeout, password), AuthInfo.Anonymous);
        Enqueue(term, pending);
        var reply = await UnlessStopped(pending.Reply.Task);
        if (reply.Code != ZkErrorCode.Ok) throw ZkException.For(reply.Code, null, reply.Detail);
        return new SessionInfo(reply.Zxid, password, timeout, reply.Zxid, Service(term));
    }

    public async Task<SessionInfo?> ResumeSession(long sessionId, byte[] password)
    {
        var term = await ServingTermAsync();
        if (!_machine.Tree.Sessions.TryGetValue(sessionId, out var session) || password == null
            || !CryptographicOperations.FixedTimeEquals(session.Password, password) || !Touch(term, sessionId))
            return null;
        // xids are per client: the resuming one numbers afresh, and its first xid restarts the gate.
        // Requests of the previous client still held behind a gap will never be admitted in order
        // now: they fail with SessionMoved, as in ZooKeeper when a session moves to a new connection.
        foreach (var held in term.Gate.Restart(sessionId))
            held.Reply.TrySetResult(Error(ZkErrorCode.SessionMoved, null, $"session 0x{sessionId:x} was resumed by another client"));
        return new SessionInfo(sessionId, session.Password, session.TimeoutMs, _machine.AppliedZxid, Service(term));
    }

    public async Task<PingReply> Ping(long sessionId)
    {
        var term = await ServingTermAsync();
        return Touch(term, sessionId)
            ? new PingReply(ZkErrorCode.Ok, term.Epoch, term.Numbering.SeqOf(sessionId), term.NumberedThrough, term.RegistrationLosses)
            : new PingReply(ZkErrorCode.SessionExpired, term.Epoch, 0, 0);
    }

    public async Task<WriteReply> Submit(long sessionId, int xid, WriteRequest request) =>
        await UnlessStopped(Admit(await ServingTermAsync(), sessionId, xid, PendingKind.Write, request));

    public async Task<WriteReply> Sync(long sessionId, int xid, string path)
    {
        if (ZkPath.Check(path) is { } problem) return Error(ZkErrorCode.BadArguments, path, problem);
        return await UnlessStopped(Admit(await ServingTermAsync(), sessionId, xid, PendingKind.Sync, null));
    }

    public async Task<long> ReadBarrier(long sessionId)
    {
        var term = await ServingTermAsync();
        if (!Touch(term, sessionId)) return -1;
        var applied = _machine.AppliedZxid;
        if (!await UnlessStopped(ConfirmLeadershipAsync(term))) throw NotLeader();
        return applied;
    }

    public async Task<AuthReply> AddAuth(long sessionId, string scheme, byte[] auth)
    {
        var term = await ServingTermAsync();
        if (!Touch(term, sessionId)) return new AuthReply(ZkErrorCode.SessionExpired, 0);
        var (current, version) = term.Auth.GetValueOrDefault(sessionId, (AuthInfo.Anonymous, 0));
        try
        {
            var credentials = System.Text.Encoding.UTF8.GetString(auth);
            // "ip": the client's address as the front end that accepted its connection saw it (the
            // ZooKeeper client port); it replaces the previous one (a session has one connection).
            if (scheme != IpScheme) current = current.Add(scheme, credentials);
            else if (System.Net.IPAddress.TryParse(credentials, out var address)) current = current.WithAddress(address.ToString());
            else return new AuthReply(ZkErrorCode.AuthFailed, version);
        }
        catch (ZkException e)
        {
            return new AuthReply(e.Code, version);
        }
        term.Auth[sessionId] = (current, ++version);
        return new AuthReply(ZkErrorCode.Ok, version);
    }

    /// <summary>The addauth scheme by which a front end sets a session's verified network address.</summary>
    private const string IpScheme = "ip";

    public async Task<SessionAuth> GetSessionAuth(long sessionId)
    {
        var term = await ServingTermAsync();
        return term.Auth.TryGetValue(sessionId, out var a) ? new SessionAuth(a.Version, a.Auth.Ids, a.Auth.VerifiedAddress) : new SessionAuth(0, []);
    }

    /// <summary>Admits a session's write or sync to the pipeline in xid order.</summary>
    private Task<WriteReply> Admit(LeaderTerm term, long sessionId, int xid, PendingKind kind, WriteRequest? request)
    {
        if (!Touch(term, sessionId))
            return Task.FromResult(Error(ZkErrorCode.SessionExpired, null, $"session 0x{sessionId:x} is not open"));
        var pending = new Pending(kind, sessionId, xid, request, term.Auth.GetValueOrDefault(sessionId).Auth ?? AuthInfo.Anonymous);
        var admitted = new List<Pending>(1);
        switch (term.Gate.Admit(sessionId, xid, pending, admitted))
        {
            case SessionGate<Pending>.Outcome.Late:
                return Task.FromResult(Error(ZkErrorCode.ConnectionLoss, null, $"request {xid} arrived after later requests of its session"));
            case SessionGate<Pending>.Outcome.Duplicate:
                return Task.FromResult(Error(ZkErrorCode.ConnectionLoss, null, $"request {xid} was sent twice"));
        }
        foreach (var p in admitted) Enqueue(term, p);
        return pending.Reply.Task;
    }

    private void Enqueue(LeaderTerm term, Pending pending)
    {
        term.Queue.Enqueue(pending);
        Wake();
    }

    /// <summary>Restarts the session's timeout; false when it is not open (or already expiring).</summary>
    private bool Touch(LeaderTerm term, long sessionId) =>
        _machine.Tree.Sessions.TryGetValue(sessionId, out var session) && term.Clock.Touch(sessionId, session.TimeoutMs);

    /// <summary>True once a quorum confirmed this leadership after the call; false if it ended first.</summary>
    private Task<bool> ConfirmLeadershipAsync(LeaderTerm term)
    {
        var token = Peer.RequestLeadershipCheck();
        if (token == 0 || _term != term) return Task.FromResult(false);
        var done = new TaskCompletionSource<bool>();
        if (!term.Checks.TryGetValue(token, out var waiting)) term.Checks[token] = waiting = [];
        waiting.Add(ok => done.TrySetResult(ok));
        Wake();
        return done.Task;
    }

    private ServiceInfo Service(LeaderTerm term) => new(_replicaId, _options.Partitions, _options.MaxDataBytes, term.Epoch);

    /// <summary>
    /// Closes every session past its deadline with a replicated closeSession (its ephemerals go in
    /// the same txn) — once a quorum has confirmed, after those deadlines passed, that this replica
    /// still leads. A leader that was frozen (SIGSTOP, a paused VM) sees every deadline pass at once
    /// when it runs again, before it can have heard that a successor took over (its engine counts
    /// ticks, which stopped with it); without the check it would answer its sessions' requests
    /// "session expired" for sessions that live on under the successor.
    /// </summary>
    private async Task ExpireSessionsAsync(CancellationToken _)
    {
        if (_term is not { Active: true } term) return;
        var asOf = term.Clock.Now();
        if (!term.Clock.AnyPastDeadline(asOf)) return;
        try
        {
            if (!await UnlessStopped(ConfirmLeadershipAsync(term)) || _term != term || !term.Active) return;
        }
        catch (ReplicaUnavailableException)
        {
            return; // stopping
        }
        foreach (var (sessionId, late) in term.Clock.Expire(asOf))
        {
            LogExpired(sessionId, (long)late.TotalMilliseconds);
            Enqueue(term, new Pending(PendingKind.Write, sessionId, 0, new CloseSessionRequest(), AuthInfo.Anonymous));
        }
    }

    private static WriteReply Error(ZkErrorCode code, string? path, string? detail) =>
        new(code, 0, new OpResult(code), null, path, detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session 0x{SessionId:x} expired ({LateMs} ms past its deadline); closing it")]
    private partial void LogExpired(long sessionId, long lateMs);
}
