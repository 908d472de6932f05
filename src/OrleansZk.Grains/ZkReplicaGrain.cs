using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Concurrency;
using Orleans.Placement;
using OrleansZk.Core;
using OrleansZk.Storage;
using OrleansZk.Zab;

namespace OrleansZk.Grains;

/// <summary>
/// One ensemble member: hosts a <see cref="ZabPeer"/> and executes its work through the one host
/// loop, <see cref="ZabDriver"/> (persist through the group-commit log, then send, then apply to
/// the <see cref="ZkStateMachine"/>) — no protocol decision is made here. As leader it also runs the
/// client side (<see cref="LeaderTerm"/>): the FIFO gate, preparation and proposal, and once a batch
/// is committed and applied, delivery to the partitions, watch events and replies.
/// Reentrant: calls only enqueue, step the engine or read; every state change happens in synchronous
/// steps on the grain's scheduler, so an interleaved call sees the tree between two applies.
/// </summary>
[Reentrant, KeepAlive, Immovable, ReplicaPlacement]
public sealed partial class ZkReplicaGrain : Grain, IZkReplicaGrain
{
    /// <summary>How long a request may wait for an earlier xid of its session before the gap is given up as lost.</summary>
    private static readonly TimeSpan XidGapTimeout = TimeSpan.FromSeconds(2);

    /// <summary>How long a delivery handed to a partition in this silo may take before it is sent again as a grain call (Orleans' response timeout).</summary>
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Bytes of effects each replica keeps for partition DIFFs, whatever <see cref="ZkServiceOptions.EffectHistory"/> says.</summary>
    private const long EffectHistoryBytes = 64L << 20;

    private readonly ZkServiceOptions _options;
    private readonly ILogger<ZkReplicaGrain> _logger;
    /// <summary>The role-change log (a Lazy: the logger-message generator wants one ILogger field).</summary>
    private readonly Lazy<ILogger> _ensembleLog;
    private readonly TimeProvider _time;
    private readonly EnsembleDirectory _directory;
    private readonly IReplicaLinks _links;

    /// <summary>This silo's activations: where a serving leader publishes what it has applied (<see cref="LocalGrains.Applied"/>) and finds the partitions it delivers to.</summary>
    private readonly LocalGrains _local;
    private readonly ReplicaSilos _silos;

    private ReplicaStore _store = null!;
    private GroupCommitLog _log = null!;
    private ZkStateMachine _machine = null!;
    private ZabDriver _driver = null!;
    private long _replicaId;

    /// <summary>The leader-only state while this replica leads; null otherwise.</summary>
    private LeaderTerm? _term;

    /// <summary>
    /// Cancelled when the silo starts stopping, or the replica deactivates: every call waiting inside
    /// it gives up. (A grain deactivates only once its running calls are done, so they must give up
    /// when the silo stops, before deactivation begins.)
    /// </summary>
    private readonly CancellationTokenSource _stop;

    /// <summary>Waits for <paramref name="task"/> unless the replica stops first (then the caller gets <see cref="ReplicaUnavailableException"/>).</summary>
    private async Task<T> UnlessStopped<T>(Task<T> task)
    {
        try
        {
            return await task.WaitAsync(_stop.Token);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            throw new ReplicaUnavailableException($"replica {_replicaId} is stopping");
        }
    }

    private Task UnlessStopped(Task task) => UnlessStopped(task.ContinueWith(t => { t.GetAwaiter().GetResult(); return true; }, TaskScheduler.Default));
    /// <summary>The replica and partition grains' references, built once (<see cref="GrainRefs"/>).</summary>
    private GrainRefs Refs => _refs ??= new GrainRefs(GrainFactory);

    private GrainRefs? _refs;


    public ZkReplicaGrain(IOptions<ZkServiceOptions> options, ILogger<ZkReplicaGrain> logger, ILoggerFactory loggers,
        EnsembleDirectory directory, TimeProvider time, ReplicaSilos silos, LocalGrains local, IServiceProvider services)
    {
        var lifetime = services.GetService(typeof(Microsoft.Extensions.Hosting.IHostApplicationLifetime)) as Microsoft.Extensions.Hosting.IHostApplicationLifetime;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(lifetime?.ApplicationStopping ?? CancellationToken.None);
        _options = options.Value;
        _logger = logger;
        _ensembleLog = new Lazy<ILogger>(() => loggers.CreateLogger(EnsembleLogCategory));
        _directory = directory;
        _time = time;
        _silos = silos;
        _local = local;
        // Tests cut links between in-process silos through this seam; a service has every link.
        _links = services.GetService(typeof(IReplicaLinks)) as IReplicaLinks ?? new AllReplicaLinks();
    }

    /// <summary>The log category of the one line per role change (the silo shows it at Information).</summary>
    public const string EnsembleLogCategory = "OrleansZk.Ensemble";

    private ZabPeer Peer => _driver.Peer;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _replicaId = this.GetPrimaryKeyLong();
        if (_replicaId != _options.ReplicaId)
            throw new ReplicaUnavailableException($"replica {_replicaId} activated on a silo configured for replica {_options.ReplicaId}");
        // Other replicas' messages still reach a silo that is stopping, and would activate the
        // replica again after the silo deactivated its grains: nothing would deactivate that one,
        // and it would keep the data directory locked (an in-process silo's successor could then
        // never open it). The replica comes back with the silo.
        if (_stop.IsCancellationRequested)
            throw new ReplicaUnavailableException($"replica {_replicaId}: its silo is stopping");
        // Orleans may start an activation under its lock on that activation, held until the first
        // await that does not complete at once; whoever sends this grain a call meanwhile waits for
        // that lock. Recovery, the election and the first role change (which reports to the silo's
        // EnsembleDirectory under its lock) must not run inside it: from here on they do not.
        await Task.Yield();

        var dataDir = Path.GetFullPath(Path.Combine(_options.DataDir, $"replica-{_replicaId}"));
        try
        {
            _store = ReplicaStore.Open(new StorageOptions
            {
                DataDir = dataDir,
                ForceSync = _options.ForceSync,
                SegmentBytes = _options.SegmentBytes,
                SnapCount = _options.SnapCount,
                PurgeRetainCount = _options.PurgeRetainCount,
            });
        }
        catch (DataDirectoryLockedException e)
        {
            // Callers get an exception Orleans can carry (the storage one is not serializable).
            throw new ReplicaUnavailableException($"replica {_replicaId}: {e.Message}", e.LockPath);
        }
        DataTree tree;
        try
        {
            ReplicaIdentity.Check(dataDir, _replicaId, _options.EnsembleIds);
            // The log may end in proposals that were never committed: replay nothing, the engine
            // hands back the committed ones once it knows which they are.
            var recovered = _store.RecoverDataTree((t, txn) => t.Apply(TxnCodec.Decode(txn.Payload)), replayThrough: 0);
            tree = recovered.State;
            // SNAP sends the newest snapshot file: make sure there is one.
            if (_store.Snapshots.Zxids().Count == 0) await _store.TakeSnapshotAsync(tree);
            LogRecovered(_replicaId, dataDir, recovered.SnapshotZxid, _store.Log.LastZxid, tree.NodeCount);
        }
        catch
        {
            await _store.DisposeAsync();
            throw;
        }
        _machine = new ZkStateMachine(tree, _options.Partitions, new EffectHistory(_options.EffectHistory, EffectHistoryBytes),
            () => _store.ReadNewestSnapshot() ?? throw new InvalidOperationException("the replica has no snapshot to send"));
        _log = _store.OpenGroupCommit();
        _previousSnapshot = _store.Snapshots.Zxids()[^1];
        var peer = new ZabPeer(ZabSettings(), _store.Log, _machine, appliedZxid: tree.LastZxid);
        _driver = new ZabDriver(peer, this, maxInFlight: 2);
        _lookingSince = _time.GetTimestamp();
        // An ensemble of one elects itself in two ticks: take them now rather than after the first timer.
        if (_options.EnsembleIds.Count == 1) { peer.Tick(); peer.Tick(); }
        _loop = RunLoopAsync();
        StartTimers();
        _local.Add(_replicaId, this);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _local.Remove(_replicaId, this);
        // Calls still running here (waiting for a partition, an election, a quorum) end now: a grain
        // that waits for them cannot deactivate, and its silo cannot stop.
        _stop.Cancel();
        _stopping = true;
        EndTerm("the replica is stopping");
        Wake();
        try
        {
            await _loop.WaitAsync(cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            LogStopSlow(_replicaId);
        }
        _snapshot?.Dispose();
        await _store.DisposeAsync();
    }

    /// <summary>The sync limit in ticks of <see cref="ZkServiceOptions.ZabTickMs"/> (at least two).</summary>
    private int SyncLimitTicks => Math.Max(2, _options.SyncLimitMs / _options.ZabTickMs);

    /// <summary>The leader's heartbeat period in ticks: a fifth of the sync limit.</summary>
    private int HeartbeatTicks => Math.Max(1, SyncLimitTicks / 5);

    /// <summary>The engine's settings from the service's (times in ticks of <see cref="ZkServiceOptions.ZabTickMs"/>).</summary>
    private ZabConfig ZabSettings()
    {
        var syncLimit = SyncLimitTicks;
        return new ZabConfig
        {
            Id = (int)_replicaId,
            Peers = _options.EnsembleIds.Select(id => (int)id).ToArray(),
            Seed = Random.Shared.Next(),
            SyncLimitTicks = syncLimit,
            InitLimitTicks = Math.Max(syncLimit, _options.InitLimitMs / _options.ZabTickMs),
            HeartbeatTicks = HeartbeatTicks,
            ElectionTimeoutTicks = Math.Max(1, syncLimit / 5),
            MaxElectionTimeoutTicks = Math.Max(2, syncLimit * 2),
        };
    }

    public Task<ServiceInfo> GetServiceInfo() =>
        Task.FromResult(new ServiceInfo(_term is { Active: true } t ? _replicaId : Peer.LeaderId ?? _replicaId,
            _options.Partitions, _options.MaxDataBytes, _term?.Epoch ?? Peer.Status.SessionEpoch));

    public async Task<IReadOnlyList<string>> GetEphemerals(long sessionId, string prefix)
    {
        await ServingTermAsync();
        return _machine.Tree.GetEphemerals(sessionId, prefix);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Replica {ReplicaId} recovered {DataDir}: snapshot 0x{SnapshotZxid:x}, log through 0x{LastZxid:x}, {Nodes} znodes")]
    private partial void LogRecovered(long replicaId, string dataDir, long snapshotZxid, long lastZxid, int nodes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replica {ReplicaId}: the pipeline did not drain before deactivation")]
    private partial void LogStopSlow(long replicaId);
}
