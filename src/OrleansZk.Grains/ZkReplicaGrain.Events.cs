using Microsoft.Extensions.Logging;
using OrleansZk.Core;

namespace OrleansZk.Grains;

/// <summary>
/// Watch events (docs/watches.md, "partitions decide, the leader numbers and pushes"): the partitions
/// return the watches a delivery fired; the leader numbers each session's per leadership (the term's
/// epoch) with <see cref="EventNumbering"/> and pushes one message per session per segment to the
/// observer the session's client registered (<see cref="WatchOutbox"/>) as it answers the segment's calls.
/// </summary>
public sealed partial class ZkReplicaGrain
{
    /// <summary>
    /// Numbers a segment's fired watches per session and pushes them to each session's observer (one
    /// message per session; never waits for the client). Called for segments in zxid order. Events of
    /// sessions that are no longer open are dropped (and the partitions told again to forget them);
    /// those of a session with no observer under this leader are numbered and not sent: its client
    /// finds the gap (a ping, a write reply) and re-registers.
    /// </summary>
    private void NumberAndPush(LeaderTerm term, IEnumerable<IReadOnlyList<FiredWatch>?> fired, long lastZxid)
    {
        Dictionary<long, List<(long Seq, FiredWatch Watch)>>? numbered;
        try
        {
            numbered = term.Numbering.Number(fired, s => _machine.Tree.Sessions.ContainsKey(s), term.EndedSessions);
        }
        catch (Exception e)
        {
            // Never throws: the segment's replies (and every later segment's) must not wait on it.
            LogEventsFailed(e, _replicaId);
            return;
        }
        if (numbered == null) return;
        foreach (var (session, events) in numbered)
        {
            if (!term.Outboxes.TryGetValue(session, out var outbox)) continue;
            outbox.Post(new WatchEvents(session, term.Epoch,
                events.Select(e => new WatchEvent(e.Seq, e.Watch.Type, e.Watch.Path, e.Watch.Zxid)).ToArray(), lastZxid));
        }
    }

    /// <summary>
    /// From now on the session's events go to <paramref name="observer"/>. The same observer keeps its
    /// outbox (and its order); another one (a new client of the session) takes over what had not left.
    /// </summary>
    private void WatchWith(LeaderTerm term, long sessionId, IZkWatchObserver observer)
    {
        if (term.Outboxes.TryGetValue(sessionId, out var old) && old.Observer.Equals(observer)) return;
        var outbox = new WatchOutbox(observer, (e, m) => LogPushFailed(e, m.SessionId, m.Events[0].Seq, m.Events[^1].Seq));
        term.Outboxes[sessionId] = outbox;
        if (old?.Retire() is { } waiting) outbox.Post(waiting);
    }

    /// <summary>The session ended: nothing more is pushed to its client.</summary>
    private static void StopWatching(LeaderTerm term, long sessionId)
    {
        if (term.Outboxes.Remove(sessionId, out var outbox)) outbox.Retire();
    }

    /// <summary>Tells every partition which sessions ended since last time (they drop those sessions' watches and refuse their reads).</summary>
    private void TellEndedSessions(LeaderTerm term)
    {
        if (term.EndedSessions.Count == 0) return;
        var ended = term.EndedSessions.ToArray();
        term.EndedSessions.Clear();
        for (var p = 0; p < _options.Partitions; p++) Refs.Partition(p).DropSessions(ended);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session 0x{SessionId:x}: watch events {FirstSeq}..{LastSeq} did not reach its client (it will see a gap and re-register)")]
    private partial void LogPushFailed(Exception? e, long sessionId, long firstSeq, long lastSeq);
}
