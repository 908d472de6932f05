using OrleansZk.Core;

namespace OrleansZk.Grains;

/// <summary>
/// Watch registrations (docs/watches.md): soft state of this activation, matched against every txn
/// the partition applies; fired watches go back to the leader in the delivery's reply, and the
/// leader numbers them per session and pushes them to the session's client.
/// </summary>
public sealed partial class ZkPartitionGrain
{
    public async Task<ReadReply> AddWatch(long sessionId, string path, AddWatchMode mode, long minZxid)
    {
        if (ZkPath.Check(path) is { } problem) return new ReadReply(ZkErrorCode.BadArguments, _watermark, ErrorPath: path, Detail: problem);
        if (mode is not (AddWatchMode.Persistent or AddWatchMode.PersistentRecursive))
            return new ReadReply(ZkErrorCode.BadArguments, _watermark, ErrorPath: path, Detail: $"unknown watch mode {(int)mode}");
        if (!await ReachAsync(minZxid)) return Behind(path, minZxid);
        _watches.AddWatch(sessionId, path, mode);
        if (mode == AddWatchMode.PersistentRecursive) await FanOutAsync(sessionId, path, add: true, minZxid);
        return new ReadReply(ZkErrorCode.Ok, _watermark);
    }

    public async Task<ReadReply> RemoveWatches(long sessionId, string path, WatcherType type, long minZxid)
    {
        if (ZkPath.Check(path) is { } problem) return new ReadReply(ZkErrorCode.BadArguments, _watermark, ErrorPath: path, Detail: problem);
        if (type is < WatcherType.Children or > WatcherType.PersistentRecursive)
            return new ReadReply(ZkErrorCode.BadArguments, _watermark, ErrorPath: path, Detail: $"unknown watcher type {(int)type}");
        if (!await ReachAsync(minZxid)) return Behind(path, minZxid);
        var recursive = type is WatcherType.Any or WatcherType.PersistentRecursive && _watches.Has(sessionId, path, WatcherType.PersistentRecursive);
        var removed = _watches.Remove(sessionId, path, type);
        if (recursive) await FanOutAsync(sessionId, path, add: false, minZxid);
        return removed
            ? new ReadReply(ZkErrorCode.Ok, _watermark)
            : new ReadReply(ZkErrorCode.NoWatcher, _watermark, ErrorPath: path);
    }

    public async Task<bool> SetRecursiveWatch(long sessionId, string path, bool add, long minZxid)
    {
        await ReachAsync(minZxid);
        if (!add) return _watches.Remove(sessionId, path, WatcherType.PersistentRecursive);
        _watches.AddWatch(sessionId, path, AddWatchMode.PersistentRecursive);
        return true;
    }

    public async Task<IReadOnlyList<FiredWatch>> SetWatches(long sessionId, long lastZxid, PartitionMark at, WatchSet watches)
    {
        // Complete through at.Zxid once every delivery through at.LastTouched is here (those are on
        // their way: only later ones wait for this re-registration).
        await ReachAsync(at.LastTouched);
        await Advance(at.LeaderId, at.Epoch, at.LastTouched, at.Zxid);
        await ReachAsync(at.Zxid);
        var fired = new List<FiredWatch>();
        _watches.Reregister(sessionId, lastZxid, watches, _view, p => PathHash.PartitionOf(p, _options.Partitions) == _partition, _history, fired);
        if (fired.Count > 0)
            lock (_sync) _firedZxid[sessionId] = Math.Max(_firedZxid.GetValueOrDefault(sessionId), fired[^1].Zxid);
        return fired;
    }

    public Task DropSessions(IReadOnlyList<long> sessionIds)
    {
        lock (_sync)
        {
            foreach (var session in sessionIds)
            {
                _watches.RemoveSession(session);
                _firedZxid.Remove(session);
                // Its reads are refused from now on.
                _ended.Add(session);
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>The one-shot watch a read with the watch flag sets once the read has succeeded (exists succeeds whether or not the node exists). getACL sets none.</summary>
    private void Watch(ReadCall call)
    {
        if (call.Kind is ReadKind.GetChildren or ReadKind.GetChildrenPage) _watches.AddChildWatch(call.SessionId, call.Path);
        else if (call.Kind is ReadKind.GetData or ReadKind.Exists) _watches.AddDataWatch(call.SessionId, call.Path);
    }

    /// <summary>A recursive watch lives in every partition (each matches its own nodes): add or remove it in all the others.</summary>
    private async Task FanOutAsync(long sessionId, string path, bool add, long minZxid)
    {
        var calls = new List<Task<bool>>(_options.Partitions);
        for (var p = 0; p < _options.Partitions; p++)
            if (p != _partition) calls.Add(Refs.Partition(p).SetRecursiveWatch(sessionId, path, add, minZxid));
        await Task.WhenAll(calls);
    }
}
