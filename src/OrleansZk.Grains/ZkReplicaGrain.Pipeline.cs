using Microsoft.Extensions.Logging;
using OrleansZk.Core;
using OrleansZk.Storage;
using OrleansZk.Zab;

namespace OrleansZk.Grains;

public sealed partial class ZkReplicaGrain
{
    /// <summary>A request waiting in the pipeline. <see cref="Request"/> null = a sync marker, or a re-registration when <see cref="Watches"/> is set.</summary>
    private sealed class Pending(long sessionId, int xid, WriteRequest? request, AuthInfo auth)
    {
        public Pending(long sessionId, Reregistration watches)
            : this(sessionId, 0, null, AuthInfo.Anonymous) => Watches = watches;

        public readonly Reregistration? Watches;
        public readonly long SessionId = sessionId;
        public readonly int Xid = xid;
        public readonly WriteRequest? Request = request;
        public readonly AuthInfo Auth = auth;
        // Completed on the grain's scheduler; the reply is sent inline rather than after another thread-pool hop.
        public readonly TaskCompletionSource<WriteReply> Reply = new();
        public Txn? Txn;
        public WriteReply? Outcome;
        public ApplyResult? Result;
    }

    /// <summary>Requests prepared and handed to the log together (one write, one fsync); or re-registrations, which form batches of their own (barriers).</summary>
    private sealed class Batch(List<Pending> entries, Task durable, bool barrier = false)
    {
        public readonly List<Pending> Entries = entries;
        public readonly Task Durable = durable;
        public readonly bool IsBarrier = barrier;
    }

    private readonly Queue<Pending> _queue = new();
    private TaskCompletionSource _wake = new();
    private bool _stopping;
    private Task _pipeline = Task.CompletedTask;
    private TreeSnapshot? _snapshot;

    /// <summary>Per partition: the zxid of the last txn whose effects touched it (the next delivery's PrevZxid).</summary>
    private long[] _partitionLast = [];

    /// <summary>Partitions that loaded an image from this incarnation: they get watermark notices.</summary>
    private readonly HashSet<int> _knownPartitions = [];

    /// <summary>Set when the log failed: the replica accepts nothing more until it is reactivated.</summary>
    private WriteReply? _broken;

    private void Enqueue(Pending pending)
    {
        if (_broken != null)
        {
            pending.Reply.TrySetResult(_broken);
            pending.Watches?.Done.TrySetResult(new WatchesReply(ZkErrorCode.SystemError, _incarnation, 0, 0, [], _broken.Detail));
            return;
        }
        _queue.Enqueue(pending);
        _wake.TrySetResult();
    }

    /// <summary>
    /// The pipeline: while batch k waits for its fsync, batch k+1 is prepared (against the tree plus
    /// k's pending changes) and handed to the log; then k is applied, its effects sent, and its
    /// replies released once the partitions have them. Runs until deactivation drains it.
    /// </summary>
    private async Task RunPipelineAsync()
    {
        Batch? logged = null;
        while (true)
        {
            WriteSnapshotSlice();
            if (_queue.Count == 0 && logged == null)
            {
                if (_stopping) return;
                if (_snapshot is { Written: false }) { await Task.Yield(); continue; }
                _wake = new TaskCompletionSource();
                await _wake.Task;
                continue;
            }
            var next = _queue.Count > 0 ? PrepareBatch() : null;
            if (logged != null)
            {
                try
                {
                    await logged.Durable;
                }
                catch (Exception e)
                {
                    // The log is broken (disk full, I/O error): nothing after this can be made durable.
                    LogWriteFailed(e, _replicaId);
                    FailAll(logged, next, e);
                    DeactivateOnIdle();
                    return;
                }
                if (logged.IsBarrier) await ReregisterAsync(logged);
                else ApplyAndDeliver(logged);
            }
            logged = next;
        }
    }

    private Batch PrepareBatch()
    {
        var entries = new List<Pending>(Math.Min(_queue.Count, _options.MaxBatch));
        if (_queue.Peek().Watches != null)
        {
            // Re-registrations go between batches, all the adjacent ones together.
            while (_queue.TryPeek(out var w) && w.Watches != null) entries.Add(_queue.Dequeue());
            return new Batch(entries, Task.CompletedTask, barrier: true);
        }
        var txns = new List<LogEntry>(entries.Capacity);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        while (entries.Count < _options.MaxBatch && _queue.TryPeek(out var p) && p.Watches == null)
        {
            _queue.Dequeue();
            entries.Add(p);
            if (p.Request == null) continue;
            try
            {
                p.Txn = _preparer.Prepare(p.Request, new Core.RequestContext(p.SessionId, p.Xid, now, p.Auth), _preparer.LastZxid + 1);
                txns.Add(new LogEntry(p.Txn.Zxid, TxnCodec.Encode(p.Txn)));
            }
            catch (ZkException e)
            {
                // Refused before it got a zxid (too large): it changes nothing.
                p.Outcome = new WriteReply(e.Code, 0, new OpResult(e.Code), null, e.Path, e.Detail);
            }
        }
        var durable = txns.Count > 0 ? _log.AppendAsync(txns) : Task.CompletedTask;
        return new Batch(entries, durable);
    }

    /// <summary>Applies a durable batch, sends its effects, and schedules its replies (synchronous: no call interleaves).</summary>
    private void ApplyAndDeliver(Batch batch)
    {
        var deliveries = new Dictionary<int, (long Prev, List<TxnEffects> Txns)>();
        var applied = 0;
        foreach (var p in batch.Entries)
        {
            if (p.Txn == null) continue;
            var result = _tree.Apply(p.Txn);
            applied++;
            foreach (var (partition, effects) in _effects.Build(_tree, p.Txn))
            {
                if (!deliveries.TryGetValue(partition, out var d))
                    deliveries[partition] = d = (_partitionLast[partition], []);
                d.Txns.Add(effects);
                _partitionLast[partition] = p.Txn.Zxid;
            }
            p.Result = result;
            NoteSessionChange(p.Txn);
        }
        var lastZxid = _tree.LastZxid;
        foreach (var p in batch.Entries)
            if (p.Request == null) p.Outcome = new WriteReply(ZkErrorCode.Ok, lastZxid, new OpResult(ZkErrorCode.Ok), null, null, null);
        if (applied > 0 && _store.NoteCommitted(applied) && _snapshot == null) _snapshot = _store.BeginSnapshot(_tree);

        var sends = new Task<IReadOnlyList<FiredWatch>?>[deliveries.Count];
        var i = 0;
        foreach (var (partition, d) in deliveries)
            sends[i++] = DeliverAsync(partition, new PartitionDelivery(_replicaId, _incarnation, d.Prev, lastZxid, d.Txns));
        // Batches are numbered for events one after another, in zxid order; this one waits only for
        // the previous batch's numbering (synchronous once its deliveries are back), never for its publishing.
        var previous = _eventsNumbered;
        var numbered = new TaskCompletionSource();
        _eventsNumbered = numbered.Task;
        _ = ReplyWhenDeliveredAsync(batch, sends, lastZxid, previous, numbered);
    }

    /// <summary>
    /// Once the batch's deliveries are acknowledged: numbers the watch events they fired and publishes
    /// them (after the previous batch's numbering), then completes the batch's replies, each carrying
    /// its session's event seq and the batch's last zxid (docs/watches.md).
    /// </summary>
    private async Task ReplyWhenDeliveredAsync(Batch batch, Task<IReadOnlyList<FiredWatch>?>[] sends, long lastZxid, Task previous, TaskCompletionSource numbered)
    {
        var fired = sends.Length == 0 ? [] : await Task.WhenAll(sends);
        await previous;
        List<Task>? publishes = null;
        try
        {
            publishes = NumberAndPublish(fired, lastZxid);
        }
        catch (Exception e)
        {
            // Never leave the batch (and every later one) without replies.
            LogEventsFailed(e, _replicaId);
        }
        foreach (var p in batch.Entries) p.Outcome = Finish(p, lastZxid);
        _numberedThrough = lastZxid;
        numbered.SetResult();
        if (publishes != null) await Task.WhenAll(publishes);
        foreach (var p in batch.Entries) p.Reply.TrySetResult(p.Outcome!);
    }

    /// <summary>The reply of a request of the batch: its outcome with the session's event seq (as of this batch) and the batch's last zxid.</summary>
    private WriteReply Finish(Pending p, long lastZxid)
    {
        var seq = p.SessionId != 0 && _events.TryGetValue(p.SessionId, out var state) ? state.Seq : 0;
        return p.Result != null ? ReplyFor(p, p.Result, seq, lastZxid) : p.Outcome! with { EventSeq = seq, EventZxid = lastZxid, EventEpoch = _incarnation };
    }

    /// <summary>
    /// Sends one delivery, retrying a few times. If the partition stays unreachable the reply still
    /// goes out: the partition rebuilds from this replica when next activated or read above its
    /// watermark, so no reader can see older state than its own writes.
    /// </summary>
    private async Task<IReadOnlyList<FiredWatch>?> DeliverAsync(int partition, PartitionDelivery delivery)
    {
        var grain = GrainFactory.GetGrain<IZkPartitionGrain>(partition);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
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

    private WriteReply ReplyFor(Pending p, ApplyResult result, long eventSeq, long eventZxid)
    {
        if (result.Code == ZkErrorCode.Ok)
            return new WriteReply(ZkErrorCode.Ok, result.Zxid, result.Result, result.MultiResults, null, null, eventSeq, eventZxid, _incarnation);
        var path = p.Request is MultiRequest m ? FailedOpPath(m, result.MultiResults) : RequestSize.PathOf(p.Request!);
        return new WriteReply(result.Code, result.Zxid, result.Result, result.MultiResults, path, null, eventSeq, eventZxid, _incarnation);
    }

    private static string? FailedOpPath(MultiRequest multi, IReadOnlyList<OpResult>? results)
    {
        if (results == null) return null;
        for (var i = 0; i < results.Count && i < multi.Ops.Count; i++)
            if (results[i].Code is not (ZkErrorCode.Ok or ZkErrorCode.RuntimeInconsistency)) return RequestSize.PathOf(multi.Ops[i]);
        return null;
    }

    private void WriteSnapshotSlice()
    {
        if (_snapshot == null || _snapshot.Written) return;
        try
        {
            if (_snapshot.WriteSome(20_000)) _ = FinishSnapshotAsync(_snapshot);
        }
        catch (Exception e)
        {
            LogSnapshotFailed(e, _replicaId);
            _snapshot = null;
        }
    }

    private async Task FinishSnapshotAsync(TreeSnapshot snapshot)
    {
        try
        {
            await snapshot.Committed;
            await _store.PurgeAsync();
        }
        catch (Exception e)
        {
            LogSnapshotFailed(e, _replicaId);
        }
        finally
        {
            snapshot.Dispose();
            if (ReferenceEquals(_snapshot, snapshot)) _snapshot = null;
        }
    }

    private void FailAll(Batch failed, Batch? next, Exception e)
    {
        _broken = new WriteReply(ZkErrorCode.SystemError, 0, new OpResult(ZkErrorCode.SystemError), null, null, "the transaction log failed: " + e.Message);
        foreach (var p in failed.Entries.Concat(next?.Entries ?? [])) Fail(p);
        while (_queue.TryDequeue(out var p)) Fail(p);

        void Fail(Pending p)
        {
            p.Reply.TrySetResult(_broken);
            p.Watches?.Done.TrySetResult(new WatchesReply(ZkErrorCode.SystemError, _incarnation, 0, 0, [], _broken.Detail));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery to partition {Partition} failed (attempt {Attempt}); retrying")]
    private partial void LogDeliveryRetry(Exception e, int partition, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivery to partition {Partition} failed; it will rebuild from the replica")]
    private partial void LogDeliveryFailed(Exception e, int partition);

    [LoggerMessage(Level = LogLevel.Error, Message = "Replica {ReplicaId}: a batch's watch events could not be numbered or published")]
    private partial void LogEventsFailed(Exception e, long replicaId);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Replica {ReplicaId}: the transaction log failed; the replica stops")]
    private partial void LogWriteFailed(Exception e, long replicaId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Replica {ReplicaId}: snapshot failed")]
    private partial void LogSnapshotFailed(Exception e, long replicaId);
}
