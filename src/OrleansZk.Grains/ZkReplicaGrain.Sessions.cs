using Microsoft.Extensions.Logging;
using OrleansZk.Core;

namespace OrleansZk.Grains;

public sealed partial class ZkReplicaGrain
{
    /// <summary>How long a request may wait for an earlier xid of its session before the gap is given up as lost.</summary>
    private static readonly TimeSpan XidGapTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A session's FIFO gate and proven identities. Orleans may deliver one client's calls out of
    /// order; the gate admits them to the pipeline in xid order (DESIGN.md, "FIFO and retries").
    /// </summary>
    private sealed class SessionState
    {
        /// <summary>The xid admitted next; 0 until the first request after a replica restart sets it.</summary>
        public int NextXid;
        public readonly SortedDictionary<int, (Pending Pending, DateTime Since)> Held = [];
        public AuthInfo Auth = AuthInfo.Anonymous;
        public int AuthVersion;
    }

    private readonly Dictionary<long, SessionState> _sessions = [];

    public async Task<SessionInfo> CreateSession(int timeoutMs, byte[] password)
    {
        if (password is not { Length: > 0 and <= 64 })
            throw new ArgumentException("a session password is 1 to 64 bytes", nameof(password));
        var timeout = Math.Clamp(timeoutMs, _options.EffectiveMinSessionTimeoutMs, _options.EffectiveMaxSessionTimeoutMs);
        var pending = new Pending(0, 0, new CreateSessionRequest(timeout, password), AuthInfo.Anonymous);
        Enqueue(pending);
        var reply = await pending.Reply.Task;
        if (reply.Code != ZkErrorCode.Ok) throw ZkException.For(reply.Code, null, reply.Detail);
        return new SessionInfo(reply.Zxid, password, timeout, reply.Zxid, _service);
    }

    public Task<WriteReply> Submit(long sessionId, int xid, WriteRequest request) => Admit(sessionId, xid, request);

    public Task<WriteReply> Sync(long sessionId, int xid, string path)
    {
        if (ZkPath.Check(path) is { } problem)
            return Task.FromResult(Error(ZkErrorCode.BadArguments, path, problem));
        return Admit(sessionId, xid, null);
    }

    public Task<AuthReply> AddAuth(long sessionId, string scheme, byte[] auth)
    {
        if (!Touch(sessionId)) return Task.FromResult(new AuthReply(ZkErrorCode.SessionExpired, 0));
        var state = StateOf(sessionId);
        try
        {
            state.Auth = state.Auth.Add(scheme, System.Text.Encoding.UTF8.GetString(auth));
        }
        catch (ZkException e)
        {
            return Task.FromResult(new AuthReply(e.Code, state.AuthVersion));
        }
        return Task.FromResult(new AuthReply(ZkErrorCode.Ok, ++state.AuthVersion));
    }

    public Task<SessionAuth> GetSessionAuth(long sessionId) =>
        Task.FromResult(_sessions.TryGetValue(sessionId, out var s) ? new SessionAuth(s.AuthVersion, s.Auth.Ids) : new SessionAuth(0, []));

    /// <summary>Admits a session's request (null = sync) to the pipeline in xid order.</summary>
    private Task<WriteReply> Admit(long sessionId, int xid, WriteRequest? request)
    {
        if (!Touch(sessionId))
            return Task.FromResult(Error(ZkErrorCode.SessionExpired, null, $"session 0x{sessionId:x} is not open"));
        var state = StateOf(sessionId);
        if (state.NextXid == 0) state.NextXid = xid;
        if (xid < state.NextXid)
            return Task.FromResult(Error(ZkErrorCode.ConnectionLoss, null, $"request {xid} arrived after later requests of its session"));
        var pending = new Pending(sessionId, xid, request, state.Auth);
        if (xid > state.NextXid)
        {
            if (!state.Held.TryAdd(xid, (pending, DateTime.UtcNow)))
                return Task.FromResult(Error(ZkErrorCode.ConnectionLoss, null, $"request {xid} was sent twice"));
            return pending.Reply.Task;
        }
        Enqueue(pending);
        state.NextXid++;
        ReleaseHeld(state);
        return pending.Reply.Task;
    }

    private void ReleaseHeld(SessionState state)
    {
        while (state.Held.Remove(state.NextXid, out var next))
        {
            Enqueue(next.Pending);
            state.NextXid++;
        }
    }

    /// <summary>Gives up on xids missing for longer than <see cref="XidGapTimeout"/> (their calls were lost).</summary>
    private void ReleaseStuckSessions()
    {
        var now = DateTime.UtcNow;
        foreach (var (id, state) in _sessions)
        {
            if (state.Held.Count == 0) continue;
            var (first, held) = state.Held.First();
            if (now - held.Since < XidGapTimeout) continue;
            LogXidGap(id, state.NextXid, first);
            state.NextXid = first;
            ReleaseHeld(state);
        }
    }

    private SessionState StateOf(long sessionId)
    {
        if (!_sessions.TryGetValue(sessionId, out var state)) _sessions[sessionId] = state = new SessionState();
        return state;
    }

    /// <summary>Keeps the session tables beside the tree's: a new session's xids start at 1 and its clock runs; a closed one's go.</summary>
    private void NoteSessionChange(Txn txn)
    {
        switch (txn.Body)
        {
            case CreateSessionTxn c:
                _sessions[c.SessionId] = new SessionState { NextXid = 1 };
                break;
            case CloseSessionTxn c:
                _sessions.Remove(c.SessionId);
                NoteSessionEnded(c.SessionId);
                break;
        }
        NoteSessionClock(txn);
    }

    private static WriteReply Error(ZkErrorCode code, string? path, string? detail) =>
        new(code, 0, new OpResult(code), null, path, detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session 0x{SessionId:x}: requests {Missing}..{Next} never arrived; continuing from {Next}")]
    private partial void LogXidGap(long sessionId, int missing, int next);
}
