using Microsoft.Extensions.Logging;
using OrleansZk.Core;

namespace OrleansZk.Grains;

/// <summary>
/// Re-registration of a session's watches (docs/watches.md, "Re-registration with the last zxid"):
/// a barrier between two segments' deliveries, so the partitions re-register at exactly the state
/// every earlier event was numbered at, and every later event is numbered after the reply's seq.
/// </summary>
public sealed partial class ZkReplicaGrain
{
    public async Task<WatchesReply> SetWatches(long sessionId, long lastZxid, WatchSet watches, IZkWatchObserver? observer)
    {
        var term = await ServingTermAsync();
        if (!Touch(term, sessionId))
            return new WatchesReply(ZkErrorCode.SessionExpired, term.Epoch, 0, 0, [], $"session 0x{sessionId:x} is not open");
        // Events numbered from here on may go to the observer; the reply's seq says which ones the
        // client takes (those after it), so the earlier ones it may now receive are superseded.
        if (observer != null) WatchWith(term, sessionId, observer);
        if (watches.IsEmpty)
        {
            // Nothing to register: where the numbering stands now. Events numbered before this are for
            // watches the caller does not hold (it has none yet); later ones come after this seq.
            return new WatchesReply(ZkErrorCode.Ok, term.Epoch, term.Numbering.SeqOf(sessionId), term.NumberedThrough, [],
                RegistrationLosses: term.RegistrationLosses);
        }
        var done = new TaskCompletionSource<WatchesReply>();
        Enqueue(term, new Pending(sessionId, new Reregistration(lastZxid, watches, done)));
        return await UnlessStopped(done.Task);
    }

    /// <summary>
    /// Runs re-registrations at state <paramref name="at"/>: after the barrier before and once every
    /// earlier segment's events are numbered, each session's watches go to the partitions that hold
    /// them (recursive ones to all), which register them at this state and return what fires at
    /// once; no later delivery leaves until they have answered.
    /// </summary>
    private async Task ReregisterAsync(LeaderTerm term, List<Pending> barriers, long at, long[] touched, Task before)
    {
        // The numbering of the segments before this barrier, taken now: once the barrier before this
        // one is done, EventsNumbered may already be a later segment's, which waits for this barrier.
        var numbered = term.EventsNumbered;
        await before;
        await numbered;
        await Task.WhenAll(barriers.Select(b => ReregisterOneAsync(term, b.SessionId, b.Watches!, at, touched)));
    }

    private async Task ReregisterOneAsync(LeaderTerm term, long sessionId, Reregistration r, long at, long[] touched)
    {
        try
        {
            if (!_machine.Tree.Sessions.ContainsKey(sessionId))
            {
                r.Done.TrySetResult(new WatchesReply(ZkErrorCode.SessionExpired, term.Epoch, 0, 0, [], $"session 0x{sessionId:x} is not open"));
                return;
            }
            var calls = new List<Task<IReadOnlyList<FiredWatch>>>();
            for (var p = 0; p < _options.Partitions; p++)
            {
                var mine = r.Set.For(p, _options.Partitions);
                if (!mine.IsEmpty) calls.Add(Refs.Partition(p).SetWatches(sessionId, r.LastZxid, new PartitionMark(_replicaId, term.Epoch, touched[p], at), mine));
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
            r.Done.TrySetResult(new WatchesReply(ZkErrorCode.Ok, term.Epoch, term.Numbering.SeqOf(sessionId), at, replayed,
                RegistrationLosses: term.RegistrationLosses));
        }
        catch (Exception e)
        {
            LogReregisterFailed(e, sessionId);
            r.Done.TrySetResult(new WatchesReply(ZkErrorCode.ConnectionLoss, term.Epoch, 0, 0, [], "re-registering watches failed: " + e.Message));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session 0x{SessionId:x}: re-registering its watches failed")]
    private partial void LogReregisterFailed(Exception e, long sessionId);
}
