namespace OrleansZk.Core;

/// <summary>
/// Session expiry as the leader decides it: each open session's deadline (its last heartbeat,
/// write or sync plus its timeout) on the monotonic clock of <see cref="TimeProvider"/>. A new
/// leader gives every session a full timeout from the moment it starts (as ZooKeeper does after a
/// leader change), so clients that are still there keep theirs. An expired session is "expiring"
/// from then on (it takes no more requests) until its closeSession is applied. Leader-only state,
/// pure, single-threaded.
/// </summary>
public sealed class SessionClock(TimeProvider time)
{
    private readonly Dictionary<long, long> _deadlines = [];
    private readonly HashSet<long> _expiring = [];

    /// <summary>Sessions with a deadline.</summary>
    public int Count => _deadlines.Count;

    /// <summary>Every session of <paramref name="sessions"/> gets a full timeout from now.</summary>
    public void Start(IEnumerable<SessionEntry> sessions)
    {
        foreach (var s in sessions) _deadlines[s.SessionId] = Deadline(s.TimeoutMs);
    }

    /// <summary>True when the session's expiry is decided (its closeSession is queued).</summary>
    public bool IsExpiring(long sessionId) => _expiring.Contains(sessionId);

    /// <summary>Restarts the session's timeout; false (and nothing changes) when it is expiring.</summary>
    public bool Touch(long sessionId, int timeoutMs)
    {
        if (_expiring.Contains(sessionId)) return false;
        _deadlines[sessionId] = Deadline(timeoutMs);
        return true;
    }

    /// <summary>A session was created (its closeSession applied: <see cref="Closed"/>).</summary>
    public void Opened(long sessionId, int timeoutMs) => _deadlines[sessionId] = Deadline(timeoutMs);

    public void Closed(long sessionId)
    {
        _deadlines.Remove(sessionId);
        _expiring.Remove(sessionId);
    }

    /// <summary>The sessions past their deadline that were not expiring yet (now they are), with how late each is.</summary>
    public List<(long SessionId, TimeSpan Late)> Expire() => Expire(time.GetTimestamp());

    /// <summary>
    /// The sessions whose deadline had passed at <paramref name="asOf"/> (a <see cref="TimeProvider"/>
    /// timestamp) and were not expiring yet (now they are), with how late each was then.
    /// </summary>
    public List<(long SessionId, TimeSpan Late)> Expire(long asOf)
    {
        var now = asOf;
        var expired = new List<(long, TimeSpan)>();
        foreach (var (id, deadline) in _deadlines)
        {
            if (deadline > now || !_expiring.Add(id)) continue;
            expired.Add((id, time.GetElapsedTime(deadline, now)));
        }
        return expired;
    }

    /// <summary>The current timestamp, to pass to <see cref="Expire(long)"/> later.</summary>
    public long Now() => time.GetTimestamp();

    /// <summary>True when some session not yet expiring is past its deadline at <paramref name="asOf"/>.</summary>
    public bool AnyPastDeadline(long asOf)
    {
        foreach (var (id, deadline) in _deadlines)
        {
            if (deadline <= asOf && !_expiring.Contains(id)) return true;
        }
        return false;
    }

    private long Deadline(int timeoutMs) => time.GetTimestamp() + (long)(timeoutMs / 1000.0 * time.TimestampFrequency);
}
