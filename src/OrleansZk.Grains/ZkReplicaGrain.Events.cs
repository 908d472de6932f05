using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;
using OrleansZk.Core;

namespace OrleansZk.Grains;

/// <summary>
/// Watch events (docs/watches.md, "partitions decide, the replica publishes"): the partitions return
/// the watches a delivery fired; the replica orders a batch's events per session by zxid (then op
/// order), numbers them per session (1, 2, 3, ...), and publishes one message per session per batch
/// on the session's stream before it completes the batch's replies.
/// </summary>
public sealed partial class ZkReplicaGrain
{
    /// <summary>A session's event numbering and its stream. <see cref="Published"/> chains its publishes, so messages enter the stream in seq order.</summary>
    private sealed class SessionEvents(IAsyncStream<WatchEvents> stream)
    {
        public readonly IAsyncStream<WatchEvents> Stream = stream;
        public long Seq;
        public Task Published = Task.CompletedTask;
    }

    private readonly Dictionary<long, SessionEvents> _events = [];

    /// <summary>The last zxid of the latest batch whose events are numbered: every event caused through it has its seq.</summary>
    private long _numberedThrough;

    /// <summary>Completes when the latest batch has numbered its events (the next batch numbers after it).</summary>
    private Task _eventsNumbered = Task.CompletedTask;

    /// <summary>Sessions that ended since the partitions were last told (they drop their registrations).</summary>
    private readonly HashSet<long> _endedSessions = [];

    private IStreamProvider _streams = null!;

    private void StartEvents() => _streams = this.GetStreamProvider(ZkDefaults.StreamProvider);

    /// <summary>
    /// Numbers the batch's fired watches per session and starts publishing them; the publish tasks, or
    /// null when nothing fired. Synchronous up to the publishes, and called for batches in zxid order.
    /// Events of sessions that are no longer open are dropped (and the partitions told again to forget them).
    /// </summary>
    private List<Task>? NumberAndPublish(IReadOnlyList<FiredWatch>?[] fired, long lastZxid)
    {
        Dictionary<long, List<FiredWatch>>? bySession = null;
        foreach (var list in fired)
        {
            if (list == null) continue;
            foreach (var f in list)
            {
                if (!_tree.Sessions.ContainsKey(f.SessionId))
                {
                    _endedSessions.Add(f.SessionId);
                    continue;
                }
                bySession ??= [];
                if (!bySession.TryGetValue(f.SessionId, out var mine)) bySession[f.SessionId] = mine = new List<FiredWatch>(2);
                mine.Add(f);
            }
        }
        if (bySession == null) return null;
        var publishes = new List<Task>(bySession.Count);
        foreach (var (session, events) in bySession)
        {
            // Partitions answer in any order: back to zxid order, a multi's events in op order.
            events.Sort(static (a, b) => a.Zxid != b.Zxid ? a.Zxid.CompareTo(b.Zxid) : a.Order.CompareTo(b.Order));
            var state = EventsOf(session);
            var numbered = new WatchEvent[events.Count];
            for (var i = 0; i < numbered.Length; i++)
                numbered[i] = new WatchEvent(++state.Seq, events[i].Type, events[i].Path, events[i].Zxid);
            state.Published = PublishAfterAsync(state.Published, state.Stream, new WatchEvents(session, _incarnation, numbered, lastZxid));
            publishes.Add(state.Published);
        }
        return publishes;
    }

    private SessionEvents EventsOf(long session)
    {
        if (!_events.TryGetValue(session, out var state))
            _events[session] = state = new SessionEvents(_streams.GetStream<WatchEvents>(StreamId.Create(ZkDefaults.WatchStreamNamespace, session)));
        return state;
    }

    /// <summary>
    /// Publishes after the session's previous message is in the stream (Orleans does not keep two calls
    /// in order). Never throws: a message that cannot be published is a gap in the session's seqs,
    /// which the client treats as a lost stream (it re-registers).
    /// </summary>
    private async Task PublishAfterAsync(Task previous, IAsyncStream<WatchEvents> stream, WatchEvents message)
    {
        await previous;
        try
        {
            await stream.OnNextAsync(message);
        }
        catch (Exception e)
        {
            LogPublishFailed(e, message.SessionId, message.Events[0].Seq, message.Events[^1].Seq);
        }
    }

    /// <summary>A session ended (closeSession applied): its numbering goes, and the partitions will be told to drop its watches.</summary>
    private void NoteSessionEnded(long sessionId)
    {
        _events.Remove(sessionId);
        _endedSessions.Add(sessionId);
    }

    /// <summary>Tells the partitions that synced with this replica which sessions ended since last time (on the watermark timer).</summary>
    private void TellEndedSessions()
    {
        if (_endedSessions.Count == 0) return;
        var ended = _endedSessions.ToArray();
        _endedSessions.Clear();
        foreach (var p in _knownPartitions) GrainFactory.GetGrain<IZkPartitionGrain>(p).DropSessions(ended);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session 0x{SessionId:x}: watch events {FirstSeq}..{LastSeq} could not be published; the client will see a gap")]
    private partial void LogPublishFailed(Exception e, long sessionId, long firstSeq, long lastSeq);
}
