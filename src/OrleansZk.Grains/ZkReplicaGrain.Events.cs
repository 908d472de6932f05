using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;
using OrleansZk.Core;

namespace OrleansZk.Grains;

/// <summary>
/// Watch events (docs/watches.md, "partitions decide, the leader publishes"): the partitions return
/// the watches a delivery fired; the leader numbers each session's per leadership (the term's
/// epoch) with <see cref="EventNumbering"/> and publishes one message per session per segment on
/// the session's stream before it answers the segment's calls.
/// </summary>
public sealed partial class ZkReplicaGrain
{
    /// <summary>
    /// Numbers a segment's fired watches per session and starts publishing them; the publish tasks,
    /// or null when nothing fired. Called for segments in zxid order. Events of sessions that are no
    /// longer open are dropped (and the partitions told again to forget them).
    /// </summary>
    private List<Task>? NumberAndPublish(LeaderTerm term, IEnumerable<IReadOnlyList<FiredWatch>?> fired, long lastZxid)
    {
        var numbered = term.Numbering.Number(fired, s => _machine.Tree.Sessions.ContainsKey(s), term.EndedSessions);
        if (numbered == null) return null;
        var publishes = new List<Task>(numbered.Count);
        foreach (var (session, events) in numbered)
        {
            var message = new WatchEvents(session, term.Epoch,
                events.Select(e => new WatchEvent(e.Seq, e.Watch.Type, e.Watch.Path, e.Watch.Zxid)).ToArray(), lastZxid);
            var (stream, published) = StreamOf(term, session);
            var next = PublishAfterAsync(published, stream, message);
            term.Streams[session] = (stream, next);
            publishes.Add(next);
        }
        return publishes;
    }

    private (IAsyncStream<WatchEvents> Stream, Task Published) StreamOf(LeaderTerm term, long session)
    {
        if (term.Streams.TryGetValue(session, out var s)) return s;
        var stream = this.GetStreamProvider(ZkDefaults.StreamProvider).GetStream<WatchEvents>(StreamId.Create(ZkDefaults.WatchStreamNamespace, session));
        return term.Streams[session] = (stream, Task.CompletedTask);
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

    /// <summary>Tells every partition which sessions ended since last time (they drop those sessions' watches and refuse their reads).</summary>
    private void TellEndedSessions(LeaderTerm term)
    {
        if (term.EndedSessions.Count == 0) return;
        var ended = term.EndedSessions.ToArray();
        term.EndedSessions.Clear();
        for (var p = 0; p < _options.Partitions; p++) Refs.Partition(p).DropSessions(ended);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session 0x{SessionId:x}: watch events {FirstSeq}..{LastSeq} could not be published; the client will see a gap")]
    private partial void LogPublishFailed(Exception e, long sessionId, long firstSeq, long lastSeq);
}
