using OrleansZk.Core;

namespace OrleansZk.Grains;

/// <summary>
/// Reads, and how the partition gets to the state a read needs: at once when its watermark covers
/// the caller's zxid; else it asks the leader where it stands, waits for deliveries in flight, and
/// asks the leader to catch it up (a DIFF or an image) when they do not come. A partition that holds
/// nothing yet (a new activation) is loaded first — by the leader, or during an election from any
/// replica's committed state.
/// </summary>
public sealed partial class ZkPartitionGrain
{
    public async Task<ReadReply> Read(ReadCall call)
    {
        if (_ended.Contains(call.SessionId)) return Ended(call);
        if (!await ReachAsync(call.MinZxid)) return Behind(call.Path, call.MinZxid);
        AuthInfo auth;
        try
        {
            auth = call.AuthVersion == 0 ? AuthInfo.Anonymous : await AuthOfAsync(call.SessionId, call.AuthVersion);
        }
        catch (Exception e) when (e is NotLeaderException or ReplicaUnavailableException or TimeoutException)
        {
            return new ReadReply(ZkErrorCode.ConnectionLoss, _watermark, ErrorPath: call.Path, Detail: "the session's identities are the leader's, and there is none: " + e.Message);
        }
        if (call.Kind == ReadKind.GetAllChildrenNumber)
        {
            try
            {
                return WithFiredZxid(await CountAllAsync(call.Path, auth), call.SessionId);
            }
            catch (ZkException e)
            {
                return WithFiredZxid(new ReadReply(e.Code, _watermark, ErrorPath: e.Path, Detail: e.Detail), call.SessionId);
            }
        }
        // A watch is registered in the same synchronous step as the read, so every txn applied
        // after the state the read saw is matched against it.
        var reply = Answer(call, auth, _watermark);
        if (call.Watch && reply.Code == ZkErrorCode.Ok) Watch(call);
        return WithFiredZxid(reply, call.SessionId);
    }

    /// <summary>
    /// A read from another thread of this silo (<see cref="LocalGrains"/>), answered under
    /// <see cref="_sync"/> exactly as <see cref="Read"/> would answer it now, when that needs
    /// nothing but this state: no watch to set, the caller's zxid already here (<see cref="CompleteThrough"/>),
    /// the session's identities cached. Otherwise false, and the caller makes the grain call. The data is
    /// copied: the caller owns what it gets, as it does a grain call's reply.
    /// </summary>
    internal bool TryReadHere(ReadCall call, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ReadReply? reply)
    {
        reply = null;
        if (call.Watch || call.Kind == ReadKind.GetAllChildrenNumber) return false;
        lock (_sync)
        {
            var through = CompleteThrough();
            if (!_loaded || call.MinZxid > through) return false;
            if (_ended.Contains(call.SessionId))
            {
                reply = Ended(call);
                return true;
            }
            AuthInfo auth;
            if (call.AuthVersion == 0) auth = AuthInfo.Anonymous;
            else if (_auth.TryGetValue(call.SessionId, out var cached) && cached.Version >= call.AuthVersion) auth = cached.Auth;
            else return false;
            reply = WithFiredZxid(Answer(call, auth, through), call.SessionId);
        }
        if (reply.Data is { Length: > 0 } data) reply = reply with { Data = data.ToArray() };
        return true;
    }

    /// <summary>
    /// The answer to a read from the state here (no watch set, no waiting): Ok with what the kind
    /// reads, or ZooKeeper's error; <paramref name="zxid"/> is the zxid the state is complete through.
    /// </summary>
    private ReadReply Answer(ReadCall call, AuthInfo auth, long zxid)
    {
        try
        {
            return call.Kind switch
            {
                ReadKind.GetData when _view.GetData(call.Path, auth) is var r => new(ZkErrorCode.Ok, zxid, Data: r.Data, Stat: r.Stat),
                ReadKind.Exists => new(ZkErrorCode.Ok, zxid, Stat: _view.Exists(call.Path)),
                ReadKind.GetChildren when _view.GetChildren(call.Path, auth) is var r => new(ZkErrorCode.Ok, zxid, Stat: r.Stat, Children: r.Children),
                ReadKind.GetChildrenPage when _view.GetChildrenPage(call.Path, call.PageSize, call.After, auth) is var r =>
                    new(ZkErrorCode.Ok, zxid, Stat: r.Stat, Children: r.Children, Continuation: r.Continuation),
                ReadKind.GetAcl when _view.GetAcl(call.Path, auth) is var r => new(ZkErrorCode.Ok, zxid, Stat: r.Stat, Acl: r.Acl),
                _ => new(ZkErrorCode.Unimplemented, zxid, ErrorPath: call.Path),
            };
        }
        catch (ZkException e)
        {
            return new ReadReply(e.Code, zxid, ErrorPath: e.Path, Detail: e.Detail);
        }
    }

    /// <summary>
    /// The zxid this partition is known to be complete through: its watermark, or beyond it what
    /// this silo's serving leader has applied (<see cref="LocalGrains.Applied"/>) when no txn it
    /// applied since the watermark touched this partition — then nothing is on its way here and
    /// the state here is the state at that zxid. What the leader would answer
    /// <see cref="IZkReplicaGrain.GetWatermark"/>, without asking it. Under <see cref="_sync"/>.
    /// </summary>
    private long CompleteThrough() =>
        _local.Applied is { } mark && Vouches(mark.Epoch, mark.LastTouched(_partition)) ? Math.Max(_watermark, mark.Applied) : _watermark;

    /// <summary>
    /// Whether a leader's word — of <paramref name="epoch"/>: the last txn it applied that touched
    /// this partition is <paramref name="lastTouched"/> — means nothing it applied is missing here.
    /// </summary>
    private bool Vouches(long epoch, long lastTouched) => epoch == _epoch && lastTouched <= _watermark;

    /// <summary>
    /// Takes a leader's word (<see cref="Vouches"/>) that it has applied through <paramref name="applied"/>:
    /// if nothing is missing here, the partition is complete through that too (and applies what was
    /// held behind it). Whether nothing was missing. Under <see cref="_sync"/>.
    /// </summary>
    private bool TakeWord(long epoch, long lastTouched, long applied)
    {
        if (!Vouches(epoch, lastTouched)) return false;
        if (applied > _watermark)
        {
            _watermark = applied;
            ApplyHeld();
        }
        return true;
    }

    /// <summary>Takes this silo's serving leader's word (<see cref="LocalGrains.Applied"/>), if there is one. Under <see cref="_sync"/>.</summary>
    private void RaiseToLeaderMark()
    {
        if (_local.Applied is { } mark) TakeWord(mark.Epoch, mark.LastTouched(_partition), mark.Applied);
    }

    /// <summary>For a session with watches here, the reply carries the last zxid at which one fired (the SDK hands the reply over only after that event, even when the reply is an error such as NoNode).</summary>
    private ReadReply WithFiredZxid(ReadReply reply, long sessionId) =>
        _firedZxid.TryGetValue(sessionId, out var firedZxid) ? reply with { FiredZxid = firedZxid } : reply;

    private ReadReply Ended(ReadCall call) =>
        new(ZkErrorCode.SessionExpired, _watermark, ErrorPath: call.Path, Detail: $"session 0x{call.SessionId:x} has ended");

    /// <summary>getAllChildrenNumber: descendants live in every partition, so ask them all at this partition's watermark.</summary>
    private async Task<ReadReply> CountAllAsync(string path, AuthInfo auth)
    {
        _view.CheckReadable(path, auth);
        var watermark = _watermark;
        var counts = new List<Task<int>>(_options.Partitions);
        for (var p = 0; p < _options.Partitions; p++)
            counts.Add(p == _partition ? Task.FromResult(_view.CountDescendants(path)) : Refs.Partition(p).CountDescendants(path, watermark));
        var total = (await Task.WhenAll(counts)).Sum();
        return new ReadReply(ZkErrorCode.Ok, watermark, Count: total);
    }

    /// <summary>Brings the watermark to <paramref name="minZxid"/> (asking the leader only when it is below); false if it could not.</summary>
    private async Task<bool> ReachAsync(long minZxid)
    {
        if (!_loaded || minZxid > _watermark)
        {
            try
            {
                await CatchUpAsync(minZxid);
            }
            catch (Exception e) when (e is NotLeaderException or ReplicaUnavailableException or TimeoutException or Orleans.Runtime.SiloUnavailableException)
            {
                // No leader to catch up from (an election): serve what is here if it is enough.
                LogCatchUpFailed(e, _partition);
            }
        }
        return _loaded && minZxid <= _watermark;
    }

    private ReadReply Behind(string path, long minZxid) =>
        new(ZkErrorCode.ConnectionLoss, _watermark, ErrorPath: path,
            Detail: _loaded
                ? $"the service has not reached zxid 0x{minZxid:x} that this client has seen (it is at 0x{_watermark:x}), and no leader could bring it there"
                : "this partition holds no data yet and no replica could give it any");

    /// <summary>
    /// Gets to <paramref name="minZxid"/>: an unloaded partition is loaded first; then, if still
    /// below, asks the leader where it stands — nothing missing: the watermark moves; deliveries in
    /// flight: waits for them (then has the leader catch it up).
    /// </summary>
    private async Task CatchUpAsync(long minZxid)
    {
        if (!_loaded) await LoadFirstAsync();
        if (minZxid <= _watermark) return;
        // This silo's leader may know, without a call, that nothing is on its way here; or that a
        // delivery is (it touched this partition above the watermark): then wait for it.
        lock (_sync) RaiseToLeaderMark();
        WakeWaiters();
        if (minZxid <= _watermark) return;
        if (_local.Applied is { } here && here.Epoch == _epoch && here.Applied >= minZxid)
        {
            await WaitForAsync(minZxid, catchUpAtOnce: false);
            return;
        }
        var mark = await CallLeaderAsync(leader => leader.GetWatermark(_partition));
        Follow(_leader ?? 0, mark.Epoch);
        bool vouched;
        lock (_sync) vouched = TakeWord(mark.Epoch, mark.LastTouched, mark.Watermark);
        WakeWaiters();
        if (!vouched) await WaitForAsync(minZxid, catchUpAtOnce: false);
    }

    /// <summary>A new activation holds nothing: the leader loads it (and counts the lost watch registrations); without a leader, any replica's image.</summary>
    private async Task LoadFirstAsync()
    {
        try
        {
            await CatchUpFromLeaderAsync();
        }
        catch (Exception e) when (e is NotLeaderException or ReplicaUnavailableException or TimeoutException or Orleans.Runtime.SiloUnavailableException)
        {
            LogCatchUpFailed(e, _partition);
            foreach (var id in _options.EnsembleIds)
            {
                try
                {
                    await Load(await Refs.Replica(id).GetPartitionImage(_partition).WaitAsync(CatchUpWait));
                    if (_loaded) return;
                }
                catch (Exception ex) when (ex is ReplicaUnavailableException or TimeoutException or Orleans.Runtime.SiloUnavailableException)
                {
                    // That replica's silo is down too: try the next.
                }
            }
        }
    }

    /// <summary>Waits until the watermark reaches <paramref name="zxid"/>, asking the leader to catch this partition up if it has not within <see cref="CatchUpWait"/> (or at once).</summary>
    private async Task WaitForAsync(long zxid, bool catchUpAtOnce)
    {
        if (_watermark >= zxid) return;
        var done = new TaskCompletionSource();
        _waiters.Add((zxid, done));
        if (!catchUpAtOnce && await Task.WhenAny(done.Task, Task.Delay(CatchUpWait)) == done.Task) return;
        if (_watermark >= zxid) return;
        LogGap(_partition, zxid, _watermark);
        try
        {
            await CatchUpFromLeaderAsync();
        }
        catch (Exception e) when (e is NotLeaderException or ReplicaUnavailableException or TimeoutException or Orleans.Runtime.SiloUnavailableException)
        {
            LogCatchUpFailed(e, _partition);
        }
    }

    /// <summary>One catch-up at a time; concurrent callers share it.</summary>
    private Task CatchUpFromLeaderAsync()
    {
        if (_catchingUp is { IsCompleted: false }) return _catchingUp;
        // The first load of an activation tells the leader, which counts re-activations (lost watch registrations).
        var activation = !_loaded && !_activationReported;
        _activationReported = true;
        return _catchingUp = CallLeaderAsync(leader => leader.CatchUpPartition(_partition, _loaded ? _watermark : -1, activation));
    }

    /// <summary>Calls the leader as this partition knows it (or the silo's directory does); asks again once if the replica says it is not the leader.</summary>
    private async Task<T> CallLeaderAsync<T>(Func<IZkReplicaGrain, Task<T>> call)
    {
        for (var attempt = 0; ; attempt++)
        {
            var leader = _leader ?? _directory.Leader ?? (await _directory.FindAsync(refresh: attempt > 0)).LeaderId
                ?? throw new NotLeaderException(0, null);
            try
            {
                return await call(Refs.Replica(leader));
            }
            catch (NotLeaderException e) when (attempt == 0)
            {
                _leader = e.LeaderId;
            }
            catch (Exception e) when (attempt == 0 && e is ReplicaUnavailableException or Orleans.Runtime.SiloUnavailableException)
            {
                _leader = null;
            }
        }
    }

    private Task CallLeaderAsync(Func<IZkReplicaGrain, Task> call) =>
        CallLeaderAsync(async leader => { await call(leader); return true; });

    private async Task<AuthInfo> AuthOfAsync(long sessionId, int version)
    {
        if (_auth.TryGetValue(sessionId, out var cached) && cached.Version >= version) return cached.Auth;
        var fresh = await CallLeaderAsync(leader => leader.GetSessionAuth(sessionId));
        var auth = new AuthInfo(fresh.Ids, fresh.Address);
        lock (_sync) _auth[sessionId] = (fresh.Version, auth);
        return auth;
    }
}
