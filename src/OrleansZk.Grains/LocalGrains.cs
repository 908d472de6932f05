using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Orleans.Serialization;
using OrleansZk.Core;

namespace OrleansZk.Grains;

/// <summary>
/// The replica and partition activations of this silo, so that callers in the silo reach them
/// without Orleans' messaging (docs/service.md, "Calls inside a silo"): a ZkClient running here
/// reads a partition under its lock (<see cref="TryRead"/>) and submits a write as a turn of the
/// replica's activation (<see cref="TrySubmit"/>); the leader hands a delivery to a partition the
/// same way (<see cref="TryDeliver"/>). An activation adds itself when it starts and removes itself
/// when it ends. The silo offers this as <see cref="IZkLocalCalls"/> unless
/// <see cref="ZkServiceOptions.LocalCalls"/> is off; the leader's deliveries and its
/// <see cref="Applied"/> mark are used either way.
/// </summary>
public sealed class LocalGrains(DeepCopier copier) : IZkLocalCalls
{
    private readonly ConcurrentDictionary<int, ZkPartitionGrain> _partitions = new();
    private readonly ConcurrentDictionary<long, ZkReplicaGrain> _replicas = new();
    private long _served;
    private long _submitted;
    private AppliedMark? _applied;

    /// <summary>Reads answered here since the silo started (the others went to the grains).</summary>
    public long Served => Interlocked.Read(ref _served);

    /// <summary>Writes submitted to a replica here without a message since the silo started.</summary>
    public long Submitted => Interlocked.Read(ref _submitted);

    public bool TryRead(int partition, ReadCall call, [NotNullWhen(true)] out ReadReply? reply)
    {
        reply = null;
        if (!_partitions.TryGetValue(partition, out var grain) || !grain.TryReadHere(call, out reply)) return false;
        Interlocked.Increment(ref _served);
        return true;
    }

    public bool TrySubmit(long replicaId, long sessionId, int xid, WriteRequest request, [NotNullWhen(true)] out Task<WriteReply>? reply)
    {
        reply = null;
        if (!_replicas.TryGetValue(replicaId, out var replica)) return false;
        // As a grain call copies its arguments: the caller may reuse its buffers, the tree keeps these.
        var copy = copier.Copy(request);
        reply = Turn(replica.GrainContext, () => replica.Submit(sessionId, xid, copy));
        Interlocked.Increment(ref _submitted);
        return true;
    }

    /// <summary>A delivery to a partition activated here, as a turn of it; false if it is not here (then: a grain call).</summary>
    internal bool TryDeliver(int partition, PartitionDelivery delivery, [NotNullWhen(true)] out Task<IReadOnlyList<FiredWatch>?>? fired)
    {
        fired = null;
        if (!_partitions.TryGetValue(partition, out var grain)) return false;
        fired = Turn(grain.GrainContext, () => grain.Deliver(delivery));
        return true;
    }

    /// <summary>
    /// What this silo's serving leader has applied, published after every batch it applies
    /// (<see cref="Publish"/>); null while no replica here leads. Facts about the committed sequence,
    /// so they stay true after the leadership ends: a partition uses them only in the epoch it follows.
    /// </summary>
    internal AppliedMark? Applied => Volatile.Read(ref _applied);

    /// <summary>
    /// A leadership of <paramref name="epoch"/> starts serving here: every partition's last touch
    /// (<paramref name="lastTouched"/>, read once for the term), and what it has applied. Later
    /// batches only note the partitions they touch (<see cref="Touched"/>) before they are published.
    /// </summary>
    internal void Lead(long epoch, int partitions, Func<int, long> lastTouched, long applied)
    {
        var touched = new long[partitions];
        for (var p = 0; p < partitions; p++) touched[p] = lastTouched(p);
        Volatile.Write(ref _applied, new AppliedMark(epoch, applied, touched));
    }

    /// <summary>The serving leader applied <paramref name="zxid"/>, which touched <paramref name="partition"/> (published with its batch).</summary>
    internal void Touched(int partition, long zxid)
    {
        if (Volatile.Read(ref _applied) is { } mark) mark.Touched(partition, zxid);
    }

    /// <summary>
    /// Publishes that the leader of <paramref name="epoch"/> has applied every txn through
    /// <paramref name="applied"/>. The last touches it noted before are visible to whoever sees
    /// this (a reader may also see later ones: an overestimate only makes a partition wait).
    /// </summary>
    internal void Publish(long epoch, long applied)
    {
        if (Volatile.Read(ref _applied) is { } mark && mark.Epoch == epoch) Volatile.Write(ref _applied, mark with { Applied = applied });
    }

    /// <summary>The leadership of <paramref name="epoch"/> ended: its mark goes (a newer leader's stays).</summary>
    internal void Withdraw(long epoch)
    {
        if (Volatile.Read(ref _applied) is { } mark && mark.Epoch == epoch) Interlocked.CompareExchange(ref _applied, null, mark);
    }

    internal void Add(int partition, ZkPartitionGrain grain) => _partitions[partition] = grain;

    /// <summary>Removes <paramref name="grain"/> if it is still the one registered (a newer activation may have replaced it).</summary>
    internal void Remove(int partition, ZkPartitionGrain grain) => _partitions.TryRemove(KeyValuePair.Create(partition, grain));

    internal void Add(long replicaId, ZkReplicaGrain grain) => _replicas[replicaId] = grain;

    internal void Remove(long replicaId, ZkReplicaGrain grain) => _replicas.TryRemove(KeyValuePair.Create(replicaId, grain));

    /// <summary>
    /// Runs <paramref name="call"/> as a turn of the activation <paramref name="context"/> — on its
    /// scheduler, one turn at a time with its messages, as a grain call would run — from a thread
    /// outside it. The task completes off that turn (its continuations never run inside it).
    /// </summary>
    private static Task<T> Turn<T>(IGrainContext context, Func<Task<T>> call)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        context.Scheduler.QueueAction(() =>
        {
            Task<T> started;
            try
            {
                started = call();
            }
            catch (Exception e)
            {
                done.TrySetException(e);
                return;
            }
            started.ContinueWith(static (t, s) => ((TaskCompletionSource<T>)s!).TrySetFromTask(t), done,
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        });
        return done.Task;
    }
}

/// <summary>
/// A serving leader's applied zxid and, per partition, the last zxid that touched the partition (the
/// partition chain) — at or below <see cref="Applied"/>, or of a batch not yet published, which only
/// overestimates. The touches are one array per term, shared by the term's marks and written in place.
/// </summary>
internal sealed record AppliedMark(long Epoch, long Applied, long[] LastTouchedByPartition)
{
    public long LastTouched(int partition) => Volatile.Read(ref LastTouchedByPartition[partition]);

    public void Touched(int partition, long zxid) => Volatile.Write(ref LastTouchedByPartition[partition], zxid);
}
