namespace OrleansZk.Core;

/// <summary>
/// FIFO per session: admits a session's requests in xid order (1, 2, 3, ...) whatever order they
/// arrive in, as ZooKeeper's per-connection order (grain calls are not kept in order). An early
/// xid is held until its predecessors arrive; a missing xid is given up after the gap timeout (its
/// call was lost, and its client saw ConnectionLoss); a request that arrives after its successors
/// were admitted is refused rather than applied out of order. Leader-only state: a new leader's
/// gate starts each session at the first xid it sees. Pure (time through <see cref="TimeProvider"/>),
/// single-threaded.
/// </summary>
public sealed class SessionGate<T>(TimeProvider time, TimeSpan gapTimeout)
{
    private sealed class State
    {
        /// <summary>The xid admitted next; 0 until the first request sets it.</summary>
        public int NextXid;
        public readonly SortedDictionary<int, (T Item, long Since)> Held = [];
    }

    private readonly Dictionary<long, State> _sessions = [];

    /// <summary>What <see cref="Admit"/> did.</summary>
    public enum Outcome
    {
        /// <summary>Admitted, with any held successors it released, in xid order.</summary>
        Admitted,
        /// <summary>Held until the xids before it arrive (or are given up).</summary>
        Held,
        /// <summary>Refused: later xids were admitted already.</summary>
        Late,
        /// <summary>Refused: this xid is held already (sent twice).</summary>
        Duplicate,
    }

    /// <summary>A new session's xids start at 1.</summary>
    public void Opened(long sessionId) => _sessions[sessionId] = new State { NextXid = 1 };

    /// <summary>A session ended: its gate goes (held requests are the caller's to fail, see <see cref="Restart"/>).</summary>
    public void Closed(long sessionId) => _sessions.Remove(sessionId);

    /// <summary>
    /// Offers request <paramref name="xid"/> of <paramref name="sessionId"/>; when admitted, it and
    /// the held successors it releases are appended to <paramref name="admitted"/> in xid order.
    /// </summary>
    public Outcome Admit(long sessionId, int xid, T item, List<T> admitted)
    {
        if (!_sessions.TryGetValue(sessionId, out var state)) _sessions[sessionId] = state = new State();
        if (state.NextXid == 0) state.NextXid = xid;
        if (xid < state.NextXid) return Outcome.Late;
        if (xid > state.NextXid)
            return state.Held.TryAdd(xid, (item, time.GetTimestamp())) ? Outcome.Held : Outcome.Duplicate;
        admitted.Add(item);
        state.NextXid++;
        Release(state, admitted);
        return Outcome.Admitted;
    }

    /// <summary>
    /// The session's client changed (a resume): xids start afresh at the next one seen; the requests
    /// still held for the previous client are returned (they can never be admitted in order now).
    /// </summary>
    public List<T> Restart(long sessionId)
    {
        if (!_sessions.TryGetValue(sessionId, out var state)) return [];
        var held = state.Held.Values.Select(h => h.Item).ToList();
        state.Held.Clear();
        state.NextXid = 0;
        return held;
    }

    /// <summary>
    /// Gives up xids missing for longer than the gap timeout: each stuck session continues from its
    /// first held xid; released requests are appended to <paramref name="admitted"/>, and
    /// <paramref name="gaveUp"/> is told (session, first missing xid, next xid) for each.
    /// </summary>
    public void ReleaseStuck(List<T> admitted, Action<long, int, int>? gaveUp = null)
    {
        foreach (var (id, state) in _sessions)
        {
            if (state.Held.Count == 0) continue;
            var (first, held) = state.Held.First();
            if (time.GetElapsedTime(held.Since) < gapTimeout) continue;
            gaveUp?.Invoke(id, state.NextXid, first);
            state.NextXid = first;
            Release(state, admitted);
        }
    }

    /// <summary>Every request still held, of every session (to fail them when leadership ends).</summary>
    public IEnumerable<T> AllHeld() => _sessions.Values.SelectMany(s => s.Held.Values.Select(h => h.Item));

    private static void Release(State state, List<T> admitted)
    {
        while (state.Held.Remove(state.NextXid, out var next))
        {
            admitted.Add(next.Item);
            state.NextXid++;
        }
    }
}
