using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Concurrency;
using OrleansZk.Core;

namespace OrleansZk.Grains;

/// <summary>
/// One partition of the tree: a <see cref="PartitionView"/> of committed data, kept current by the
/// leader's deliveries, applied strictly in chain order (each names the zxid that touched this
/// partition before it — or an upper bound of it — so a reordered or lost delivery is a gap, never
/// a silent skip). It answers a read at once when its watermark (the zxid it is complete through)
/// covers the caller's zxid, and otherwise catches up first (guarantee 3). It follows the leader of
/// the newest epoch it has heard from and refuses anything from an older one, so a deposed leader
/// can never move it backwards. While there is no leader it keeps serving what it has (and a new
/// activation loads an image from any replica). Reentrant; every state change is synchronous
/// between awaits. Placed at random among the silos, so partitions (and the reads they serve)
/// spread over the cluster and a silo's death takes only its share: Orleans' default placement
/// prefers the caller's silo, and every partition's first caller is the leader.
/// <para>Clients in the same silo may also read it without a grain call, from another thread
/// (<see cref="TryReadHere"/>): every change to what such a read looks at — the view, the watermark,
/// the ended sessions, the cached identities, the fired zxids — is made under <see cref="_sync"/>.</para>
/// </summary>
[Reentrant, KeepAlive, Orleans.Placement.RandomPlacement]
public sealed partial class ZkPartitionGrain : Grain, IZkPartitionGrain
{
    /// <summary>How long a delivery behind a gap, or a read above the watermark, waits for the missing deliveries before asking the leader to catch it up.</summary>
    private static readonly TimeSpan CatchUpWait = TimeSpan.FromSeconds(1);

    private readonly ZkServiceOptions _options;
    private readonly ILogger<ZkPartitionGrain> _logger;
    private readonly EnsembleDirectory _directory;
    private readonly LocalGrains _local;

    /// <summary>Held while changing what a local read (<see cref="TryReadHere"/>) looks at, and by such a read.</summary>
    private readonly Lock _sync = new();
    private readonly PartitionView _view = new();
    private readonly SortedDictionary<long, PartitionDelivery> _held = [];
    private readonly List<(long MinZxid, TaskCompletionSource Done)> _waiters = [];
    private readonly Dictionary<long, (int Version, AuthInfo Auth)> _auth = [];
    private readonly WatchTable _watches = new();
    private readonly TriggerHistory _history;

    /// <summary>Per session with watches here: the last zxid at which this partition fired one of them (read replies carry it).</summary>
    private readonly Dictionary<long, long> _firedZxid = [];

    /// <summary>The most recent ended sessions (65,536): their reads are refused with SessionExpired.</summary>
    private readonly RecentSet<long> _ended = new(65_536);

    /// <summary>Watches fired by held deliveries that another call applied, keyed by the delivery's last zxid, until the held call returns them.</summary>
    private readonly Dictionary<long, List<FiredWatch>> _firedWhileHeld = [];
    private readonly HashSet<long> _heldWaiting = [];
    private int _partition;
    private bool _loaded;
    private bool _activationReported;
    private long? _leader;
    private long _epoch;
    private long _watermark = -1;
    private Task? _catchingUp;

    public ZkPartitionGrain(IOptions<ZkServiceOptions> options, ILogger<ZkPartitionGrain> logger, EnsembleDirectory directory, LocalGrains local)
    {
        _options = options.Value;
        _logger = logger;
        _directory = directory;
        _local = local;
        _history = new TriggerHistory(_options.WatchHistory);
    }
    /// <summary>The replica and partition grains' references, built once (<see cref="GrainRefs"/>).</summary>
    private GrainRefs Refs => _refs ??= new GrainRefs(GrainFactory);

    private GrainRefs? _refs;


    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _partition = (int)this.GetPrimaryKeyLong();
        _local.Add(_partition, this);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _local.Remove(_partition, this);
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<FiredWatch>?> Deliver(PartitionDelivery delivery)
    {
        if (!Follow(delivery.LeaderId, delivery.Epoch) || delivery.Txns.Count == 0) return null;
        if (delivery.PrevZxid > _watermark)
        {
            var last = delivery.Txns[^1].Zxid;
            _held[delivery.PrevZxid] = delivery;
            _heldWaiting.Add(last);
            try
            {
                await WaitForAsync(last, catchUpAtOnce: !_loaded);
            }
            finally
            {
                _heldWaiting.Remove(last);
            }
            // Applied meanwhile by the call that filled the gap; nothing fired if an image superseded
            // it (docs/watches.md: events an image skips are recovered by re-registration).
            return _firedWhileHeld.Remove(last, out var held) ? held : null;
        }
        List<FiredWatch>? fired;
        lock (_sync)
        {
            fired = Apply(delivery);
            ApplyHeld();
            RaiseToLeaderMark();
        }
        WakeWaiters();
        return fired;
    }

    public Task Load(PartitionImage image)
    {
        if (!Follow(image.ReplicaId, image.Epoch)) return Task.CompletedTask;
        lock (_sync)
        {
            _view.Load(image.Nodes, image.Watermark);
            // Triggers between the old state and the image were never seen here: a replay from before it is incomplete.
            _history.Reset(image.Watermark);
            _watermark = image.Watermark;
            _loaded = true;
            ApplyHeld();
        }
        WakeWaiters();
        return Task.CompletedTask;
    }

    public Task<PartitionPosition> GetPosition() => Task.FromResult(new PartitionPosition(_loaded, _watermark, _epoch));

    public Task Advance(long leaderId, long epoch, long lastTouched, long watermark)
    {
        if (Follow(leaderId, epoch) && _loaded)
        {
            lock (_sync) TakeWord(epoch, lastTouched, watermark);
            WakeWaiters();
        }
        return Task.CompletedTask;
    }

    public async Task<int> CountDescendants(string path, long minZxid)
    {
        await ReachAsync(minZxid);
        return _view.CountDescendants(path);
    }

    /// <summary>
    /// Takes news from a leader (or, with an image, any replica) of <paramref name="epoch"/>: a newer
    /// epoch is adopted (its leader's identities may differ: the cached ones go); an older one is
    /// refused — the newer leader has brought or will bring this partition at least as far.
    /// </summary>
    private bool Follow(long leaderId, long epoch)
    {
        if (epoch < _epoch) return false;
        if (epoch > _epoch)
        {
            lock (_sync)
            {
                _auth.Clear();
                _epoch = epoch;
            }
            _directory.Report(leaderId, epoch);
        }
        _leader = leaderId;
        return true;
    }

    /// <summary>Applies a delivery and matches each txn it applies against the watches (skipped txns fire nothing); the fired watches or null. Under <see cref="_sync"/>.</summary>
    private List<FiredWatch>? Apply(PartitionDelivery delivery)
    {
        List<FiredWatch>? fired = null;
        foreach (var txn in delivery.Txns)
        {
            if (!_view.Apply(txn)) continue;
            _history.Add(txn);
            if (_watches.Count == 0) continue;
            fired ??= [];
            _watches.Match(txn, fired);
        }
        if (fired != null)
            foreach (var f in fired) _firedZxid[f.SessionId] = f.Zxid;
        _watermark = Math.Max(_watermark, delivery.Watermark);
        return fired is { Count: > 0 } ? fired : null;
    }

    /// <summary>Applies held deliveries whose predecessors are now here, in chain order. Under <see cref="_sync"/>.</summary>
    private void ApplyHeld()
    {
        while (_held.Count > 0)
        {
            var (prev, next) = _held.First();
            if (prev > _watermark) return;
            _held.Remove(prev);
            if (next.Epoch < _epoch) continue;
            if (Apply(next) is { } fired && _heldWaiting.Contains(next.Txns[^1].Zxid)) _firedWhileHeld[next.Txns[^1].Zxid] = fired;
        }
    }

    private void WakeWaiters()
    {
        for (var i = _waiters.Count - 1; i >= 0; i--)
        {
            if (_waiters[i].MinZxid > _watermark) continue;
            _waiters[i].Done.TrySetResult();
            _waiters.RemoveAt(i);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition}: deliveries through zxid 0x{Zxid:x} missing (complete through 0x{Watermark:x}); asking the leader to catch it up")]
    private partial void LogGap(int partition, long zxid, long watermark);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition}: catching up failed")]
    private partial void LogCatchUpFailed(Exception e, int partition);
}
