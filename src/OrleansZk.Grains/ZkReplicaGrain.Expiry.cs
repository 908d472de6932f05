using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using OrleansZk.Core;

namespace OrleansZk.Grains;

public sealed partial class ZkReplicaGrain
{
    /// <summary>Per open session: when it expires, in ms of <see cref="Environment.TickCount64"/> (monotonic).</summary>
    private readonly Dictionary<long, long> _deadlines = [];

    /// <summary>Sessions whose expiry closeSession is queued: they take no more requests.</summary>
    private readonly HashSet<long> _expiring = [];

    private static long NowMs => Environment.TickCount64;

    /// <summary>After recovery every open session gets a full timeout from now (as ZooKeeper restarts them).</summary>
    private void StartSessionClocks()
    {
        foreach (var session in _tree.Sessions.Values) _deadlines[session.SessionId] = NowMs + session.TimeoutMs;
        var period = TimeSpan.FromMilliseconds(Math.Clamp(_options.TickTimeMs / 2, 10, 1000));
        this.RegisterGrainTimer(ExpireSessionsAsync, new Orleans.Runtime.GrainTimerCreationOptions(period, period) { Interleave = true });
    }

    public Task<PingReply> Ping(long sessionId) =>
        Task.FromResult(Touch(sessionId)
            ? new PingReply(ZkErrorCode.Ok, _incarnation, _events.TryGetValue(sessionId, out var events) ? events.Seq : 0, _numberedThrough, _registrationLosses)
            : new PingReply(ZkErrorCode.SessionExpired, _incarnation, 0, 0));

    public Task<SessionInfo?> ResumeSession(long sessionId, byte[] password)
    {
        if (!_tree.Sessions.TryGetValue(sessionId, out var session) || password == null
            || !CryptographicOperations.FixedTimeEquals(session.Password, password) || !Touch(sessionId))
            return Task.FromResult<SessionInfo?>(null);
        // xids are per client: the resuming one numbers afresh, and its first xid restarts the gate.
        // Requests of the previous client still held behind a gap will never be admitted in order
        // now: they fail with SessionMoved, as in ZooKeeper when a session moves to a new connection.
        if (_sessions.TryGetValue(sessionId, out var state))
        {
            foreach (var (_, held) in state.Held)
                held.Pending.Reply.TrySetResult(Error(ZkErrorCode.SessionMoved, null, $"session 0x{sessionId:x} was resumed by another client"));
            state.Held.Clear();
            state.NextXid = 0;
        }
        return Task.FromResult<SessionInfo?>(new SessionInfo(sessionId, session.Password, session.TimeoutMs, _tree.LastZxid, _service));
    }

    /// <summary>Restarts the session's timeout; false when it is not open (or already expiring).</summary>
    private bool Touch(long sessionId)
    {
        if (_expiring.Contains(sessionId) || !_tree.Sessions.TryGetValue(sessionId, out var session)) return false;
        _deadlines[sessionId] = NowMs + session.TimeoutMs;
        return true;
    }

    /// <summary>Closes every session past its deadline with a replicated closeSession (its ephemerals go in the same txn).</summary>
    private Task ExpireSessionsAsync(CancellationToken _)
    {
        var now = NowMs;
        foreach (var (sessionId, deadline) in _deadlines)
        {
            if (deadline > now || !_expiring.Add(sessionId)) continue;
            LogExpired(sessionId, now - deadline);
            Enqueue(new Pending(sessionId, 0, new CloseSessionRequest(), AuthInfo.Anonymous));
        }
        return Task.CompletedTask;
    }

    private void NoteSessionClock(Txn txn)
    {
        switch (txn.Body)
        {
            case CreateSessionTxn c:
                _deadlines[c.SessionId] = NowMs + c.TimeoutMs;
                break;
            case CloseSessionTxn c:
                _deadlines.Remove(c.SessionId);
                _expiring.Remove(c.SessionId);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session 0x{SessionId:x} expired ({LateMs} ms past its deadline); closing it")]
    private partial void LogExpired(long sessionId, long lateMs);
}
