using Microsoft.Extensions.Logging;
using OrleansZk.Core;

namespace OrleansZk.Grains;

/// <summary>
/// Re-registration of a session's watches (docs/watches.md, "Re-registration with the last zxid"):
/// a barrier between two batches, so the partitions re-register at exactly the state every earlier
/// event was numbered at, and every later event is numbered after the reply's seq.
/// </summary>
public sealed partial class ZkReplicaGrain
{
    /// <summary>A re-registration waiting in the pipeline.</summary>
    private sealed record Reregistration(long LastZxid, WatchSet Set, TaskCompletionSource<WatchesReply> Done);

    public Task<WatchesReply> SetWatches(long sessionId, long lastZxid, WatchSet watches)
    {
        if (!Touch(sessionId))
            return Task.FromResult(new WatchesReply(ZkErrorCode.SessionExpired, _incarnation, 0, 0, [], $"session 0x{sessionId:x} is not open"));
        if (watches.IsEmpty)
        {
            // Nothing to register: where the stream stands now. Events numbered before this are for
            // watches the caller does not hold (it has none yet); later ones come after this seq.
            var seq = _events.TryGetValue(sessionId, out var state) ? state.Seq : 0;
            return Task.FromResult(new WatchesReply(ZkErrorCode.Ok, _incarnation, seq, _tree.LastZxid, [], RegistrationLosses: _registrationLosses));
        }
        var done = new TaskCompletionSource<WatchesReply>();
        Enqueue(new Pending(sessionId, new Reregistration(lastZxid, watches, done)));
        return done.Task;
    }

    /// <summary>
    /// Runs a barrier of re-registrations: once every earlier batch has been delivered and its events
    /// numbered, each session's watches go to the partitions that hold them (recursive ones to all),
    /// which register them at this state and return what fires at once; the pipeline delivers no
    /// later batch until they have answered.
    /// </summary>
    private async Task ReregisterAsync(Batch barrier)
    {
        await _eventsNumbered;
        var at = _tree.LastZxid;
        var runs = new List<Task>(barrier.Entries.Count);
        foreach (var p in barrier.Entries) runs.Add(ReregisterOneAsync(p.SessionId, p.Watches!, at));
        await Task.WhenAll(runs);
    }

    private async Task ReregisterOneAsync(long sessionId, Reregistration r, long at)
    {
        try
        {
            if (!_tree.Sessions.ContainsKey(sessionId))
            {
                r.Done.TrySetResult(new WatchesReply(ZkErrorCode.SessionExpired, _incarnation, 0, 0, [], $"session 0x{sessionId:x} is not open"));
                return;
            }
            var calls = new List<Task<IReadOnlyList<FiredWatch>>>();
            for (var p = 0; p < _options.Partitions; p++)
            {
                var mine = r.Set.For(p, _options.Partitions);
                if (!mine.IsEmpty) calls.Add(GrainFactory.GetGrain<IZkPartitionGrain>(p).SetWatches(sessionId, r.LastZxid, at, mine));
            }
            var fired = await Task.WhenAll(calls);
            var events = fired.SelectMany(f => f).ToList();
            events.Sort(static (a, b) => a.Zxid != b.Zxid ? a.Zxid.CompareTo(b.Zxid) : a.Order.CompareTo(b.Order));
            // A recursive watch is replayed by every partition: one HistoryTrimmed per path is enough.
            var trimmed = new HashSet<string>(StringComparer.Ordinal);
            var replayed = events
                .Where(e => e.Type != WatchEventType.HistoryTrimmed || trimmed.Add(e.Path))
                .Select(e => new WatchEvent(0, e.Type, e.Path, e.Zxid))
                .ToList();
            // Events numbered before this point (seq <= S) are superseded by the replay; later ones follow S.
            var seq = EventsOf(sessionId).Seq;
            r.Done.TrySetResult(new WatchesReply(ZkErrorCode.Ok, _incarnation, seq, at, replayed, RegistrationLosses: _registrationLosses));
        }
        catch (Exception e)
        {
            LogReregisterFailed(e, sessionId);
            r.Done.TrySetResult(new WatchesReply(ZkErrorCode.ConnectionLoss, _incarnation, 0, 0, [], "re-registering watches failed: " + e.Message));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session 0x{SessionId:x}: re-registering its watches failed")]
    private partial void LogReregisterFailed(Exception e, long sessionId);
}
