using Microsoft.Extensions.Logging;
using OrleansZk.Core;

namespace OrleansZk.Grains;

/// <summary>
/// The partitions follow the leader (docs/service.md, "Partitions follow the leader"): a new leader
/// first brings every partition to what it has applied — the effects since the partition's own
/// watermark when its effect history reaches back that far (a DIFF: the cost of a leader change
/// grows with what changed, not with the tree), else an image from its partition index — and then
/// delivers batch after batch. A partition that misses a delivery asks the leader to catch it up
/// the same way. Watermark notices, ended sessions, expired containers and TTL nodes.
/// </summary>
public sealed partial class ZkReplicaGrain
{
    /// <summary>
    /// Brings every partition to <paramref name="applied"/> (the new leader's state when it started
    /// serving), numbering and pushing the watches this fires first of all (later segments number
    /// after it). A partition that cannot be reached catches up by itself later.
    /// </summary>
    private async Task SyncPartitionsAsync(LeaderTerm term, long applied)
    {
        var fired = await Task.WhenAll(Enumerable.Range(0, _options.Partitions).Select(p => SyncPartitionAsync(term, p, applied)));
        if (_term != term) return;
        NumberAndPush(term, fired, applied);
        term.NumberedThrough = Math.Max(term.NumberedThrough, applied);
    }

    private async Task<IReadOnlyList<FiredWatch>?> SyncPartitionAsync(LeaderTerm term, int partition, long applied)
    {
        var grain = Refs.Partition(partition);
        try
        {
            var position = await grain.GetPosition();
            term.ActivatedPartitions.Add(partition);
            if (_term != term) return null;
            var diff = position.Loaded ? _machine.Diff(partition, position.Watermark, applied) : null;
            if (diff == null)
            {
                await grain.Load(Image(term.Epoch, partition));
                return null;
            }
            if (diff.Count == 0)
            {
                await grain.Advance(_replicaId, term.Epoch, position.Watermark, applied);
                return null;
            }
            return await grain.Deliver(new PartitionDelivery(_replicaId, term.Epoch, position.Watermark, applied, diff));
        }
        catch (Exception e)
        {
            LogPartitionSyncFailed(e, partition);
            return null;
        }
    }

    public async Task CatchUpPartition(int partition, long watermark, bool activation)
    {
        CheckPartition(partition);
        var term = await ServingTermAsync();
        if (activation && !term.ActivatedPartitions.Add(partition)) term.RegistrationLosses++;
        var grain = Refs.Partition(partition);
        var catchUp = _machine.CatchUp(partition, watermark);
        if (catchUp.Diff == null)
        {
            await UnlessStopped(grain.Load(new PartitionImage(_replicaId, term.Epoch, catchUp.Watermark, catchUp.LastTouched, catchUp.Image!)));
            return;
        }
        if (catchUp.Diff.Count == 0)
        {
            await grain.Advance(_replicaId, term.Epoch, watermark, catchUp.Watermark);
            return;
        }
        var fired = await UnlessStopped(grain.Deliver(new PartitionDelivery(_replicaId, term.Epoch, watermark, catchUp.Watermark, catchUp.Diff)));
        if (fired == null || _term != term) return;
        // The watches a catch-up fires are numbered after the segments numbered before it — without
        // holding up the partition, which may be catching up for a re-registration that a segment
        // numbered before this one is waiting for.
        var (previous, numbered) = term.NextNumberingTurn();
        _ = NumberAfterAsync(term, previous, numbered, fired, catchUp.Watermark);
    }

    private async Task NumberAfterAsync(LeaderTerm term, Task previous, TaskCompletionSource numbered, IReadOnlyList<FiredWatch> fired, long throughZxid)
    {
        await previous;
        NumberAndPush(term, [fired], throughZxid);
        numbered.SetResult();
    }

    public Task<PartitionImage> GetPartitionImage(int partition)
    {
        CheckPartition(partition);
        return Task.FromResult(Image(Peer.Status.SessionEpoch, partition));
    }

    public async Task<PartitionWatermark> GetWatermark(int partition)
    {
        CheckPartition(partition);
        var term = await ServingTermAsync();
        return new PartitionWatermark(term.Epoch, _machine.PartitionLast(partition), _machine.AppliedZxid);
    }

    private PartitionImage Image(long epoch, int partition) =>
        new(_replicaId, epoch, _machine.AppliedZxid, _machine.PartitionLast(partition), _machine.Image(partition));

    private void CheckPartition(int partition)
    {
        if ((uint)partition >= (uint)_options.Partitions)
            throw new ArgumentOutOfRangeException(nameof(partition), partition, $"this service has {_options.Partitions} partitions");
    }

    /// <summary>
    /// The serving leader's periodic chores: gives up xids that never arrived, tells the partitions
    /// which sessions ended and (when they got nothing lately) that they are complete through what it
    /// has applied (docs/service.md, "Watermarks").
    /// </summary>
    private Task LeaderHousekeepingAsync(CancellationToken _)
    {
        if (_term is not { Active: true } term) return Task.CompletedTask;
        var released = new List<Pending>();
        term.Gate.ReleaseStuck(released, (session, missing, next) => LogXidGap(session, missing, next));
        foreach (var p in released) Enqueue(term, p);
        TellEndedSessions(term);
        var zxid = _machine.AppliedZxid;
        if (zxid == term.Advertised) return Task.CompletedTask;
        term.Advertised = zxid;
        for (var p = 0; p < _options.Partitions; p++)
            Refs.Partition(p).Advance(_replicaId, term.Epoch, _machine.PartitionLast(p), zxid);
        return Task.CompletedTask;
    }

    /// <summary>Deletes empty containers and expired TTL nodes found by the Core scanner, at most ContainerMaxPerMinute per minute.</summary>
    private async Task ScanExpiredAsync(CancellationToken _)
    {
        if (_term is not { Active: true, Scanning: false } term) return;
        term.Scanning = true;
        try
        {
            var budget = Math.Max(1, (int)((long)_options.ContainerMaxPerMinute * _options.ContainerCheckIntervalMs / 60_000));
            var expired = ExpiryScanner.Scan(_machine.Tree, _time.GetUtcNow().ToUnixTimeMilliseconds());
            var deletions = new List<Task<WriteReply>>();
            foreach (var node in expired.Take(budget))
            {
                var pending = new Pending(PendingKind.Write, 0, 0, node.ToRequest(), AuthInfo.Anonymous);
                Enqueue(term, pending);
                deletions.Add(pending.Reply.Task);
            }
            await Task.WhenAll(deletions);
        }
        finally
        {
            term.Scanning = false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition} could not be brought up to date by the new leader; it will catch up by itself")]
    private partial void LogPartitionSyncFailed(Exception e, int partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session 0x{SessionId:x}: requests {Missing}..{Next} never arrived; continuing from {Next}")]
    private partial void LogXidGap(long sessionId, int missing, int next);
}
