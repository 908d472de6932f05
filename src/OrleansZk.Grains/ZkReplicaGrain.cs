using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Concurrency;
using Orleans.Placement;
using OrleansZk.Core;
using OrleansZk.Storage;

namespace OrleansZk.Grains;

/// <summary>
/// A standalone replica (an ensemble of one): owns the DataTree and the transaction log, and runs
/// the write pipeline (queue → prepare → append, one fsync per batch → apply → deliver effects to
/// partitions in zxid order → reply). Reentrant: client calls only enqueue and await, so many
/// requests are in flight; all state changes happen in the pipeline's synchronous steps, so any
/// interleaved call sees the tree between two applies, never inside one.
/// </summary>
[Reentrant, KeepAlive, Immovable, ReplicaPlacement]
public sealed partial class ZkReplicaGrain : Grain, IZkReplicaGrain
{
    private readonly ZkServiceOptions _options;
    private readonly ILogger<ZkReplicaGrain> _logger;

    private ReplicaStore _store = null!;
    private GroupCommitLog _log = null!;
    private DataTree _tree = null!;
    private RequestPreparer _preparer = null!;
    private EffectBuilder _effects = null!;
    private ServiceInfo _service = null!;
    private long _replicaId;

    /// <summary>Names this activation; partitions rebuild when it changes (see <see cref="PartitionDelivery"/>).</summary>
    private long _incarnation;

    public ZkReplicaGrain(IOptions<ZkServiceOptions> options, ILogger<ZkReplicaGrain> logger)
    {
        _options = options.Value;
        _logger = logger;
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _replicaId = this.GetPrimaryKeyLong();
        if (_replicaId != _options.ReplicaId)
            throw new ReplicaUnavailableException($"replica {_replicaId} activated on a silo configured for replica {_options.ReplicaId}");

        var dataDir = Path.GetFullPath(Path.Combine(_options.DataDir, $"replica-{_replicaId}"));
        _store = ReplicaStore.Open(new StorageOptions
        {
            DataDir = dataDir,
            ForceSync = _options.ForceSync,
            SegmentBytes = _options.SegmentBytes,
            SnapCount = _options.SnapCount,
            PurgeRetainCount = _options.PurgeRetainCount,
        });
        try
        {
            var recovered = _store.RecoverDataTree((tree, txn) => tree.Apply(TxnCodec.Decode(txn.Payload)));
            _tree = recovered.State;
            LogRecovered(_replicaId, dataDir, recovered.SnapshotZxid, recovered.Replayed, _tree.LastZxid, _tree.NodeCount);
        }
        catch
        {
            await _store.DisposeAsync();
            throw;
        }
        _preparer = new RequestPreparer(_tree, new PreparerOptions { MaxRequestBytes = _options.MaxDataBytes, TtlEnabled = _options.TtlEnabled });
        _effects = new EffectBuilder(_options.Partitions);
        _log = _store.OpenGroupCommit();
        _service = new ServiceInfo(_replicaId, _options.Partitions, _options.MaxDataBytes);
        _partitionLast = new long[_options.Partitions];
        _incarnation = DateTime.UtcNow.Ticks ^ Random.Shared.NextInt64(1L << 20);
        StartEvents();
        _pipeline = RunPipelineAsync();
        StartSessionClocks();
        this.RegisterGrainTimer(AdvanceWatermarksAsync, new GrainTimerCreationOptions(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100)) { Interleave = true });
        var scan = TimeSpan.FromMilliseconds(_options.ContainerCheckIntervalMs);
        this.RegisterGrainTimer(ScanExpiredAsync, new GrainTimerCreationOptions(scan, scan) { Interleave = true });
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _stopping = true;
        _wake.TrySetResult();
        try
        {
            await _pipeline.WaitAsync(cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            LogStopSlow(_replicaId);
        }
        _snapshot?.Dispose();
        await _store.DisposeAsync();
    }

    public Task<ServiceInfo> GetServiceInfo() => Task.FromResult(_service);

    public Task<IReadOnlyList<string>> GetEphemerals(long sessionId, string prefix) =>
        Task.FromResult(_tree.GetEphemerals(sessionId, prefix));

    [LoggerMessage(Level = LogLevel.Information, Message = "Replica {ReplicaId} recovered {DataDir}: snapshot 0x{SnapshotZxid:x}, {Replayed} txns replayed, last zxid 0x{LastZxid:x}, {Nodes} znodes")]
    private partial void LogRecovered(long replicaId, string dataDir, long snapshotZxid, long replayed, long lastZxid, int nodes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replica {ReplicaId}: the pipeline did not drain before deactivation")]
    private partial void LogStopSlow(long replicaId);
}
