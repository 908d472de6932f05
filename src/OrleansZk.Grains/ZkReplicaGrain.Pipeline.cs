using Microsoft.Extensions.Logging;
using OrleansZk.Core;
using OrleansZk.Zab;

namespace OrleansZk.Grains;

/// <summary>
/// The write path (docs/service.md): the leader prepares queued calls against its tree plus what is
/// still in flight and proposes them (the engine hands out the zxids); the engine commits them on a
/// quorum; every replica applies commits to its state machine; the serving leader then groups what
/// one Ready committed into a segment — one delivery per partition touched, one numbering of the
/// watch events they fire — and replies to the segment's calls once the partitions have the effects
/// and the events are pushed. Markers (syncs, re-registrations, refused calls) take their turn
/// once every txn proposed before them is applied.
/// </summary>
public sealed partial class ZkReplicaGrain
{
    /// <summary>What one Ready's commits did, up to a re-registration barrier: the calls to answer and the deliveries to send.</summary>
    private sealed class Segment(LeaderTerm term)
    {
        /// <summary>The leadership whose calls these are: only it may answer them.</summary>
        public readonly LeaderTerm Term = term;
        public readonly List<Pending> Calls = [];
        public readonly Dictionary<int, (long Prev, List<TxnEffects> Txns)> Deliveries = [];
        public long LastZxid;
        public bool IsEmpty => Calls.Count == 0 && Deliveries.Count == 0;
    }

    /// <summary>Prepares and proposes up to MaxBatch queued calls (markers just take their place in line).</summary>
    private void ProposeQueued(LeaderTerm term)
    {
        if (term.Queue.Count == 0) return;
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        for (var n = 0; n < _options.MaxBatch && term.Queue.TryDequeue(out var p); n++)
        {
            if (p.Kind != PendingKind.Write)
            {
                AddMarker(term, p);
                continue;
            }
            var request = p.Request!;
            try
            {
                term.Preparer.CheckSize(request);
            }
            catch (ZkException e)
            {
                // Refused before it got a zxid (too large): it changes nothing, and replies in its turn.
                p.Kind = PendingKind.Refused;
                p.Outcome = new WriteReply(e.Code, 0, new OpResult(e.Code), null, e.Path, e.Detail);
                AddMarker(term, p);
                continue;
            }
            var context = new Core.RequestContext(p.SessionId, p.Xid, now, p.Auth);
            var result = Peer.Propose(zxid =>
            {
                p.Txn = term.Preparer.Prepare(request, context, zxid);
                return TxnCodec.Encode(p.Txn);
            });
            if (result.Status != ProposeStatus.Proposed)
            {
                // The epoch's zxids ran out: the engine steps down and a new epoch starts.
                p.Fail(Error(ZkErrorCode.ConnectionLoss, null, "the leader is stepping down"));
                continue;
            }
            p.Zxid = result.Zxid;
            term.LastProposed = result.Zxid;
            term.InFlight.Enqueue(p);
        }
        // Markers behind nothing (or behind txns already applied) take their turn now.
        if (term.InFlight.TryPeek(out var head) && head.IsMarker && head.AfterZxid <= _machine.AppliedZxid)
        {
            var segment = OpenSegment(term);
            TakeMarkers(term, ref segment);
            _open = segment;
        }
    }

    /// <summary>
    /// The segment being filled: what the Readies persisted since the host loop last went idle
    /// committed. It is closed (delivered, answered) when the loop has no durable job left to
    /// hand back, so Readies made durable by one fsync are delivered and answered together.
    /// </summary>
    private Segment? _open;

    private Segment OpenSegment(LeaderTerm term)
    {
        if (_open is { } open && open.Term == term) return open;
        FailOpenSegment("the leadership changed before the reply was sent");
        return _open = new Segment(term) { LastZxid = _machine.AppliedZxid };
    }

    /// <summary>Delivers and answers the open segment, if its leadership still serves.</summary>
    private void CloseOpenSegment()
    {
        if (_open is not { } open) return;
        if (open.Term is not { Active: true } term || _term != term)
        {
            FailOpenSegment("the leader stepped down before the reply was sent");
            return;
        }
        _open = null;
        CloseSegment(term, open);
    }

    /// <summary>The open segment's calls were applied but cannot be answered by this leadership: ConnectionLoss (as every call it holds).</summary>
    private void FailOpenSegment(string why)
    {
        if (_open is not { } open) return;
        _open = null;
        foreach (var p in open.Calls) p.Fail(Error(ZkErrorCode.ConnectionLoss, null, why));
    }

    private static void AddMarker(LeaderTerm term, Pending p)
    {
        p.AfterZxid = term.LastProposed;
        term.InFlight.Enqueue(p);
    }

    /// <summary>
    /// Applies committed txns to the state machine (every replica). A serving leader matches them to
    /// its proposals (in zxid order) and delivers them by segment.
    /// </summary>
    private void ApplyCommitted(IReadOnlyList<LogEntry> committed)
    {
        var term = _term is { Active: true } t ? t : null;
        var segment = term != null ? OpenSegment(term) : null;
        foreach (var entry in committed)
        {
            Pending? mine = null;
            if (term != null && term.InFlight.TryPeek(out var head) && !head.IsMarker && head.Zxid == entry.Zxid) mine = term.InFlight.Dequeue();
            var applied = _machine.Apply(entry, mine?.Txn);
            NoteApplied(applied.Txn);
            if (term == null) continue;
            foreach (var e in applied.Effects)
            {
                _local.Touched(e.Partition, entry.Zxid);
                if (!segment!.Deliveries.TryGetValue(e.Partition, out var d)) segment.Deliveries[e.Partition] = d = (e.PrevZxid, []);
                d.Txns.Add(e.Effects);
            }
            segment!.LastZxid = entry.Zxid;
            if (mine != null)
            {
                mine.Result = applied.Result;
                segment.Calls.Add(mine);
            }
            TakeMarkers(term, ref segment);
        }
        if (term != null)
        {
            _open = segment;
            // This silo's partitions learn what is applied (and that nothing else is on its way to them).
            _local.Publish(term.Epoch, _machine.AppliedZxid);
        }
        if (_store.NoteCommitted(committed.Count) && _snapshot == null) _snapshot = _store.BeginSnapshot(_machine.Tree);
    }

    /// <summary>
    /// Moves the markers whose turn has come into the segment; a re-registration closes the segment
    /// before it and starts a new one after it (its deliveries wait for the barrier).
    /// </summary>
    private void TakeMarkers(LeaderTerm term, ref Segment segment)
    {
        while (term.InFlight.TryPeek(out var head) && head.IsMarker && head.AfterZxid <= segment.LastZxid)
        {
            term.InFlight.Dequeue();
            if (head.Kind != PendingKind.Barrier)
            {
                segment.Calls.Add(head);
                continue;
            }
            var at = segment.LastZxid;
            CloseSegment(term, segment);
            var barriers = new List<Pending> { head };
            while (term.InFlight.TryPeek(out var next) && next.Kind == PendingKind.Barrier && next.AfterZxid <= at) barriers.Add(term.InFlight.Dequeue());
            // What touched each partition through `at`: later txns' deliveries wait for this barrier,
            // so a partition learns it is complete through `at` from this, not from the leader's Advance.
            var touched = new long[_options.Partitions];
            for (var p = 0; p < touched.Length; p++) touched[p] = _machine.PartitionLast(p);
            term.Barrier = ReregisterAsync(term, barriers, at, touched, term.Barrier);
            segment = new Segment(term) { LastZxid = at };
        }
    }

    /// <summary>Sends a segment's deliveries (after any barrier before it) and schedules its replies.</summary>
    private void CloseSegment(LeaderTerm term, Segment segment)
    {
        if (segment.IsEmpty) return;
        var sends = new Task<IReadOnlyList<FiredWatch>?>[segment.Deliveries.Count];
        var i = 0;
        foreach (var (partition, d) in segment.Deliveries)
        {
            var delivery = new PartitionDelivery(_replicaId, term.Epoch, d.Prev, segment.LastZxid, d.Txns);
            sends[i++] = term.Barrier.IsCompleted ? DeliverAsync(partition, delivery) : DeliverAfterAsync(term.Barrier, partition, delivery);
        }
        // Segments are numbered for events one after another, in zxid order; this one waits only for
        // the previous one's numbering, never for its pushing.
        var (previous, numbered) = term.NextNumberingTurn();
        _ = ReplyWhenDeliveredAsync(term, segment, sends, previous, numbered, System.Diagnostics.Stopwatch.GetTimestamp());
    }

    /// <summary>
    /// Once the segment's deliveries are acknowledged: numbers and pushes the watch events they
    /// fired (after the previous segment's numbering), then answers the segment's calls — syncs only
    /// once a quorum has confirmed the leadership.
    /// </summary>
    private async Task ReplyWhenDeliveredAsync(LeaderTerm term, Segment segment, Task<IReadOnlyList<FiredWatch>?>[] sends, Task previous, TaskCompletionSource numbered, long sentAt)
    {
        IReadOnlyList<FiredWatch>?[] fired = [];
        if (sends.Length > 0)
        {
            fired = await Task.WhenAll(sends);
            _deliveryTimes.RecordSince(sentAt);
        }
        await previous;
        NumberAndPush(term, fired, segment.LastZxid);
        foreach (var p in segment.Calls) p.Outcome = Finish(term, p, segment.LastZxid);
        term.NumberedThrough = Math.Max(term.NumberedThrough, segment.LastZxid);
        numbered.SetResult();
        foreach (var p in segment.Calls)
        {
            if (p.Kind == PendingKind.Write) _writeTimes.RecordSince(p.Admitted);
            if (p.Kind != PendingKind.Sync) p.Reply.TrySetResult(p.Outcome!);
            else _ = ReplyToSyncAsync(term, p);
        }
    }

    /// <summary>A sync answers only once a quorum has confirmed, after its turn came, that this replica still leads.</summary>
    private async Task ReplyToSyncAsync(LeaderTerm term, Pending sync)
    {
        sync.Reply.TrySetResult(await ConfirmLeadershipAsync(term)
            ? sync.Outcome!
            : Error(ZkErrorCode.ConnectionLoss, null, "the leader lost its quorum before the sync was confirmed"));
    }

    /// <summary>The reply of a call of the segment: its outcome with the session's event seq (as of this segment) and the segment's last zxid.</summary>
    private WriteReply Finish(LeaderTerm term, Pending p, long lastZxid)
    {
        var seq = p.SessionId != 0 ? term.Numbering.SeqOf(p.SessionId) : 0;
        if (p.Result is { } result)
        {
            if (result.Code == ZkErrorCode.Ok)
                return new WriteReply(ZkErrorCode.Ok, result.Zxid, result.Result, result.MultiResults, null, null, seq, lastZxid, term.Epoch);
            var path = p.Request is MultiRequest m ? FailedOpPath(m, result.MultiResults) : RequestSize.PathOf(p.Request!);
            return new WriteReply(result.Code, result.Zxid, result.Result, result.MultiResults, path, null, seq, lastZxid, term.Epoch);
        }
        var outcome = p.Outcome ?? new WriteReply(ZkErrorCode.Ok, lastZxid, new OpResult(ZkErrorCode.Ok), null, null, null);
        return outcome with { EventSeq = seq, EventZxid = lastZxid, EventEpoch = term.Epoch };
    }

    private static string? FailedOpPath(MultiRequest multi, IReadOnlyList<OpResult>? results)
    {
        if (results == null) return null;
        for (var i = 0; i < results.Count && i < multi.Ops.Count; i++)
            if (results[i].Code is not (ZkErrorCode.Ok or ZkErrorCode.RuntimeInconsistency)) return RequestSize.PathOf(multi.Ops[i]);
        return null;
    }

    /// <summary>Keeps the leader's session tables beside the tree's as sessions open and close.</summary>
    private void NoteApplied(Txn txn)
    {
        if (_term is not { } term) return;
        switch (txn.Body)
        {
            case CreateSessionTxn c:
                term.Gate.Opened(c.SessionId);
                term.Clock.Opened(c.SessionId, c.TimeoutMs);
                break;
            case CloseSessionTxn c:
                term.Gate.Closed(c.SessionId);
                term.Clock.Closed(c.SessionId);
                term.Auth.Remove(c.SessionId);
                term.Numbering.Forget(c.SessionId);
                StopWatching(term, c.SessionId);
                term.EndedSessions.Add(c.SessionId);
                break;
        }
    }

    private async Task<IReadOnlyList<FiredWatch>?> DeliverAfterAsync(Task barrier, int partition, PartitionDelivery delivery)
    {
        await barrier;
        return await DeliverAsync(partition, delivery);
    }

    /// <summary>
    /// Sends one delivery, retrying a few times. If the partition stays unreachable the reply still
    /// goes out: the partition catches up from the leader when next activated or read above its
    /// watermark, so no reader can see older state than its own writes.
    /// </summary>
    private async Task<IReadOnlyList<FiredWatch>?> DeliverAsync(int partition, PartitionDelivery delivery)
    {
        var grain = Refs.Partition(partition);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // A partition activated in this silo takes it as a turn, without a message (a second
                // attempt goes as a grain call).
                if (attempt == 1 && _local.TryDeliver(partition, delivery, out var here)) return await here.WaitAsync(DeliveryTimeout);
                return await grain.Deliver(delivery);
            }
            catch (Exception e) when (attempt < 3)
            {
                LogDeliveryRetry(e, partition, attempt);
            }
            catch (Exception e)
            {
                LogDeliveryFailed(e, partition);
                return null;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery to partition {Partition} failed (attempt {Attempt}); retrying")]
    private partial void LogDeliveryRetry(Exception e, int partition, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivery to partition {Partition} failed; it will catch up from the leader")]
    private partial void LogDeliveryFailed(Exception e, int partition);

    [LoggerMessage(Level = LogLevel.Error, Message = "Replica {ReplicaId}: a batch's watch events could not be numbered or pushed")]
    private partial void LogEventsFailed(Exception e, long replicaId);
}
