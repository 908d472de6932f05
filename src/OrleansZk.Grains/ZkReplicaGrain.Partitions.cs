using OrleansZk.Core;

namespace OrleansZk.Grains;

public sealed partial class ZkReplicaGrain
{
    private long _advertised;
    private bool _scanning;

    /// <summary>Partitions activated in this incarnation; one activated again lost its watch registrations.</summary>
    private readonly HashSet<int> _activatedPartitions = [];
    private long _registrationLosses;

    public Task<PartitionImage> GetPartitionImage(int partition, bool activation)
    {
        CheckPartition(partition);
        _knownPartitions.Add(partition);
        if (activation && !_activatedPartitions.Add(partition)) _registrationLosses++;
        var nodes = _tree.Images(path => PathHash.PartitionOf(path, _options.Partitions) == partition);
        return Task.FromResult(new PartitionImage(_replicaId, _incarnation, _tree.LastZxid, _partitionLast[partition], nodes));
    }

    public Task<PartitionWatermark> GetWatermark(int partition)
    {
        CheckPartition(partition);
        return Task.FromResult(new PartitionWatermark(_incarnation, _partitionLast[partition], _tree.LastZxid));
    }

    private void CheckPartition(int partition)
    {
        if ((uint)partition >= (uint)_options.Partitions)
            throw new ArgumentOutOfRangeException(nameof(partition), partition, $"this service has {_options.Partitions} partitions");
    }

    /// <summary>
    /// Tells partitions that got nothing lately that they are complete through the tree's zxid
    /// (DESIGN.md, "watermarks keep reads local"), and unsticks sessions waiting on a lost xid.
    /// </summary>
    private Task AdvanceWatermarksAsync(CancellationToken _)
    {
        ReleaseStuckSessions();
        TellEndedSessions();
        var zxid = _tree.LastZxid;
        if (zxid == _advertised) return Task.CompletedTask;
        _advertised = zxid;
        foreach (var p in _knownPartitions)
            GrainFactory.GetGrain<IZkPartitionGrain>(p).Advance(_replicaId, _incarnation, _partitionLast[p], zxid);
        return Task.CompletedTask;
    }

    /// <summary>Deletes empty containers and expired TTL nodes found by the Core scanner, at most ContainerMaxPerMinute per minute.</summary>
    private async Task ScanExpiredAsync(CancellationToken _)
    {
        if (_scanning) return;
        _scanning = true;
        try
        {
            var budget = Math.Max(1, (int)((long)_options.ContainerMaxPerMinute * _options.ContainerCheckIntervalMs / 60_000));
            var expired = ExpiryScanner.Scan(_tree, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            var deletions = new List<Task<WriteReply>>();
            foreach (var node in expired.Take(budget))
            {
                var pending = new Pending(0, 0, node.ToRequest(), AuthInfo.Anonymous);
                Enqueue(pending);
                deletions.Add(pending.Reply.Task);
            }
            await Task.WhenAll(deletions);
        }
        finally
        {
            _scanning = false;
        }
    }
}
