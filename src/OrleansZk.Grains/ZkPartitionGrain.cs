using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Concurrency;
using OrleansZk.Core;

namespace OrleansZk.Grains;

/// <summary>
/// One partition of the tree: a <see cref="PartitionView"/> kept current by the replica's
/// deliveries, applied strictly in chain order (each delivery names the previous zxid that touched
/// this partition, so a reordered or lost delivery is a gap, never a silent skip). It answers a
/// read at once when its watermark covers the caller's zxid, and otherwise catches up first
/// (DESIGN.md, guarantee 3). Reentrant so deliveries, catch-ups and reads interleave; every state
/// change is synchronous between awaits.
/// </summary>
[Reentrant, KeepAlive]
public sealed partial class ZkPartitionGrain : Grain, IZkPartitionGrain
{
    /// <summary>How long a delivery behind a gap, or a read above the watermark, waits for the missing deliveries before rebuilding.</summary>
    private static readonly TimeSpan CatchUpWait = TimeSpan.FromSeconds(1);

    private readonly ZkServiceOptions _options;
    private readonly ILogger<ZkPartitionGrain> _logger;
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
    private long _replicaId;
    private long _incarnation;
    private long _lastTouched;
    private long _watermark;
    private Task? _rebuilding;

    public ZkPartitionGrain(IOptions<ZkServiceOptions> options, ILogger<ZkPartitionGrain> logger)
    {
        _options = options.Value;
        _logger = logger;
        _history = new TriggerHistory(_options.WatchHistory);
    }

    private IZkReplicaGrain Replica => GrainFactory.GetGrain<IZkReplicaGrain>(_replicaId);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _partition = (int)this.GetPrimaryKeyLong();
        _replicaId = _options.ReplicaId > 0 ? _options.ReplicaId : 1;
        return RebuildAsync(activation: true);
    }

    public async Task<IReadOnlyList<FiredWatch>?> Deliver(PartitionDelivery delivery)
    {
        if (delivery.Incarnation != _incarnation)
        {
            // A new replica activation numbers a new chain: start over from its tree.
            _replicaId = delivery.ReplicaId;
            await RebuildAsync();
            if (delivery.Incarnation != _incarnation) return null;
        }
        if (delivery.PrevZxid > _lastTouched)
        {
            var last = delivery.Txns[^1].Zxid;
            _held[delivery.PrevZxid] = delivery;
            _heldWaiting.Add(last);
            try
            {
                await WaitForAsync(last);
            }
            finally
            {
                _heldWaiting.Remove(last);
            }
            // Applied meanwhile by the call that filled the gap (or by a rebuild); nothing fired if a
            // rebuild superseded it (docs/watches.md: events a rebuild skips are lost).
            return _firedWhileHeld.Remove(last, out var held) ? held : null;
        }
        var fired = Apply(delivery);
        ApplyHeld();
        WakeWaiters();
        return fired;
    }

    public Task Advance(long replicaId, long incarnation, long lastTouched, long watermark)
    {
        if (incarnation == _incarnation && lastTouched <= _lastTouched && watermark > _watermark)
        {
            _watermark = watermark;
            WakeWaiters();
        }
        return Task.CompletedTask;
    }

    public async Task<int> CountDescendants(string path, long minZxid)
    {
        await ReachAsync(minZxid);
        return _view.CountDescendants(path);
    }

    public async Task<ReadReply> Read(ReadCall call)
    {
        if (_ended.Contains(call.SessionId))
            return new ReadReply(ZkErrorCode.SessionExpired, _watermark, ErrorPath: call.Path, Detail: $"session 0x{call.SessionId:x} has ended");
        if (!await ReachAsync(call.MinZxid)) return Behind(call.Path, call.MinZxid);
        var auth = call.AuthVersion == 0 ? AuthInfo.Anonymous : await AuthOfAsync(call.SessionId, call.AuthVersion);
        ReadReply reply;
        try
        {
            // A watch is registered in the same synchronous step as the read, so every txn applied
            // after the state the read saw is matched against it.
            reply = call.Kind switch
            {
                ReadKind.GetData => Watched(Reply(_view.GetData(call.Path, auth)), call),
                ReadKind.Exists => Watched(new ReadReply(ZkErrorCode.Ok, _watermark, Stat: _view.Exists(call.Path)), call),
                ReadKind.GetChildren => Watched(Reply(_view.GetChildren(call.Path, auth)), call),
                ReadKind.GetAcl => Reply(_view.GetAcl(call.Path, auth)),
                ReadKind.GetAllChildrenNumber => await CountAllAsync(call.Path, auth),
                _ => new ReadReply(ZkErrorCode.Unimplemented, _watermark, ErrorPath: call.Path),
            };
        }
        catch (ZkException e)
        {
            reply = new ReadReply(e.Code, _watermark, ErrorPath: e.Path, Detail: e.Detail);
        }
        // For a session with watches here: the last zxid at which one fired (the SDK hands the reply
        // over only after that event, even when the reply is an error such as NoNode).
        return _firedZxid.TryGetValue(call.SessionId, out var firedZxid) ? reply with { FiredZxid = firedZxid } : reply;
    }

    private ReadReply Reply(DataResult r) => new(ZkErrorCode.Ok, _watermark, Data: r.Data, Stat: r.Stat);
    private ReadReply Reply(ChildrenResult r) => new(ZkErrorCode.Ok, _watermark, Stat: r.Stat, Children: r.Children);
    private ReadReply Reply(AclResult r) => new(ZkErrorCode.Ok, _watermark, Stat: r.Stat, Acl: r.Acl);

    /// <summary>getAllChildrenNumber: descendants live in every partition, so ask them all at this partition's watermark.</summary>
    private async Task<ReadReply> CountAllAsync(string path, AuthInfo auth)
    {
        _view.CheckReadable(path, auth);
        var watermark = _watermark;
        var counts = new List<Task<int>>(_options.Partitions);
        for (var p = 0; p < _options.Partitions; p++)
            counts.Add(p == _partition ? Task.FromResult(_view.CountDescendants(path)) : GrainFactory.GetGrain<IZkPartitionGrain>(p).CountDescendants(path, watermark));
        var total = (await Task.WhenAll(counts)).Sum();
        return new ReadReply(ZkErrorCode.Ok, watermark, Count: total);
    }

    /// <summary>Applies a delivery and matches each txn it applies against the watches (skipped txns fire nothing); the fired watches or null.</summary>
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
        _lastTouched = Math.Max(_lastTouched, delivery.Txns[^1].Zxid);
        _watermark = Math.Max(_watermark, delivery.Watermark);
        return fired is { Count: > 0 } ? fired : null;
    }

    /// <summary>Applies held deliveries whose predecessor has now arrived, in chain order.</summary>
    private void ApplyHeld()
    {
        while (_held.Count > 0)
        {
            var (prev, next) = _held.First();
            if (prev > _lastTouched) return;
            _held.Remove(prev);
            if (Apply(next) is { } fired && _heldWaiting.Contains(next.Txns[^1].Zxid)) _firedWhileHeld[next.Txns[^1].Zxid] = fired;
        }
    }

    /// <summary>Brings the watermark to at least <paramref name="minZxid"/>: asks the replica where this partition stands, waits for deliveries in flight, and rebuilds if they do not come.</summary>
    private async Task CatchUpAsync(long minZxid)
    {
        var mark = await Replica.GetWatermark(_partition);
        if (mark.Incarnation != _incarnation)
        {
            await RebuildAsync();
            return;
        }
        if (mark.LastTouched <= _lastTouched)
        {
            _watermark = Math.Max(_watermark, mark.Watermark);
            WakeWaiters();
            return;
        }
        await WaitForAsync(minZxid);
    }

    /// <summary>Waits until the watermark reaches <paramref name="zxid"/>, rebuilding from the replica if it has not within <see cref="CatchUpWait"/>.</summary>
    private async Task WaitForAsync(long zxid)
    {
        if (_watermark >= zxid) return;
        var done = new TaskCompletionSource();
        _waiters.Add((zxid, done));
        if (await Task.WhenAny(done.Task, Task.Delay(CatchUpWait)) == done.Task) return;
        LogGap(_partition, zxid, _lastTouched);
        await RebuildAsync();
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

    /// <summary>Reloads the whole partition from the replica's tree (one rebuild at a time; concurrent callers share it).</summary>
    private Task RebuildAsync(bool activation = false) =>
        _rebuilding is { IsCompleted: false } ? _rebuilding : _rebuilding = RebuildOnceAsync(activation);

    private async Task RebuildOnceAsync(bool activation)
    {
        var image = await Replica.GetPartitionImage(_partition, activation);
        _view.Load(image.Nodes, image.Watermark);
        // Triggers between the old state and the image were never seen here: a replay from before it is incomplete.
        _history.Reset(image.Watermark);
        (_incarnation, _lastTouched, _watermark) = (image.Incarnation, image.LastTouched, image.Watermark);
        foreach (var prev in _held.Keys.Where(k => _held[k].Incarnation != _incarnation).ToList()) _held.Remove(prev);
        ApplyHeld();
        WakeWaiters();
    }

    private async Task<AuthInfo> AuthOfAsync(long sessionId, int version)
    {
        if (_auth.TryGetValue(sessionId, out var cached) && cached.Version >= version) return cached.Auth;
        var fresh = await Replica.GetSessionAuth(sessionId);
        var auth = new AuthInfo(fresh.Ids, null);
        _auth[sessionId] = (fresh.Version, auth);
        return auth;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition}: deliveries through zxid 0x{Zxid:x} missing (last touched 0x{LastTouched:x}); rebuilding from the replica")]
    private partial void LogGap(int partition, long zxid, long lastTouched);
}
