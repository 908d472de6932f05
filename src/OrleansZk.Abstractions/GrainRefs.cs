using System.Collections.Concurrent;

namespace OrleansZk;

/// <summary>
/// References to the replica and partition grains, each built once and reused. <c>GetGrain</c>
/// builds a new reference on every call (a type lookup, a key and an allocation); on the request
/// path that was about 5% of a silo's CPU (a profile of ZooKeeper's Java benchmark on the client
/// port). Thread-safe: references are immutable, and a race only builds one twice.
/// </summary>
public sealed class GrainRefs(IGrainFactory grains)
{
    private readonly ConcurrentDictionary<long, IZkReplicaGrain> _replicas = new();
    private readonly ConcurrentDictionary<int, IZkPartitionGrain> _partitions = new();

    /// <summary>The replica grain with id <paramref name="replicaId"/>.</summary>
    public IZkReplicaGrain Replica(long replicaId) =>
        _replicas.TryGetValue(replicaId, out var grain) ? grain : _replicas.GetOrAdd(replicaId, grains.GetGrain<IZkReplicaGrain>(replicaId));

    /// <summary>The partition grain with number <paramref name="partition"/>.</summary>
    public IZkPartitionGrain Partition(int partition) =>
        _partitions.TryGetValue(partition, out var grain) ? grain : _partitions.GetOrAdd(partition, grains.GetGrain<IZkPartitionGrain>(partition));
}
