using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace OrleansZk.Grains;

/// <summary>
/// The partition activations of this silo, by partition index, so that a ZkClient running in the
/// silo reads them without a grain call (<see cref="IZkLocalReads"/>; docs/service.md, "Local
/// reads"). An activation adds itself when it starts and removes itself when it ends; the silo
/// offers this as <see cref="IZkLocalReads"/> unless <see cref="ZkServiceOptions.LocalReads"/> is off.
/// </summary>
public sealed class LocalPartitions : IZkLocalReads
{
    private readonly ConcurrentDictionary<int, ZkPartitionGrain> _here = new();
    private long _served;

    /// <summary>Reads answered here since the silo started (the others went to the grains).</summary>
    public long Served => Interlocked.Read(ref _served);

    public bool TryRead(int partition, ReadCall call, [NotNullWhen(true)] out ReadReply? reply)
    {
        reply = null;
        if (!_here.TryGetValue(partition, out var grain) || !grain.TryReadHere(call, out reply)) return false;
        Interlocked.Increment(ref _served);
        return true;
    }

    /// <summary>
    /// What this silo's serving leader has applied, published after every batch it applies
    /// (<see cref="Publish"/>); null while no replica here leads. Facts about the committed sequence,
    /// so they stay true after the leadership ends: a partition uses them only in the epoch it follows.
    /// </summary>
    internal AppliedMark? Applied => Volatile.Read(ref _applied);

    private AppliedMark? _applied;

    /// <summary>Publishes that the leader of <paramref name="epoch"/> has applied every txn through <paramref name="applied"/>, and the last zxid among them that touched each partition.</summary>
    internal void Publish(long epoch, long applied, long[] lastTouched) => Volatile.Write(ref _applied, new AppliedMark(epoch, applied, lastTouched));

    /// <summary>The leadership of <paramref name="epoch"/> ended: its mark goes (a newer leader's stays).</summary>
    internal void Withdraw(long epoch)
    {
        if (Volatile.Read(ref _applied) is { } mark && mark.Epoch == epoch) Interlocked.CompareExchange(ref _applied, null, mark);
    }

    internal void Add(int partition, ZkPartitionGrain grain) => _here[partition] = grain;

    /// <summary>Removes <paramref name="grain"/> if it is still the one registered (a newer activation may have replaced it).</summary>
    internal void Remove(int partition, ZkPartitionGrain grain) => _here.TryRemove(KeyValuePair.Create(partition, grain));
}

/// <summary>A serving leader's applied zxid and, per partition, the last zxid at or below it that touched the partition (the partition chain).</summary>
internal sealed record AppliedMark(long Epoch, long Applied, long[] LastTouched);
