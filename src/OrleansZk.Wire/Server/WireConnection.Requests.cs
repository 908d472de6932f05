using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OrleansZk.Client;
using OrleansZk.Core;
using OrleansZk.Wire.Jute;
using OrleansZk.Wire.Protocol;

namespace OrleansZk.Wire.Server;

/// <summary>Requests: each frame becomes one call of the session's <see cref="ZkClient"/>, issued in arrival order, its reply put in line.</summary>
internal sealed partial class WireConnection
{
    /// <summary>Parses and issues one request; false when the connection is to close after the replies already in line.</summary>
    private bool Dispatch(byte[] body)
    {
        var received = Stopwatch.GetTimestamp();
        var client = _client!;
        RequestHeader header;
        WireRequest request;
        var r = new JuteReader(body);
        try
        {
            header = RequestHeader.Read(ref r);
        }
        catch (JuteException e)
        {
            _log.LogInformation("Client port: closing {Remote}: {Problem}", RemoteEndPoint, e.Message);
            return false;
        }
        try
        {
            request = RequestParser.ParseBody(header, ref r);
        }
        catch (UnknownOpException)
        {
            // As ZooKeeper's UnimplementedRequestProcessor: Unimplemented, then the connection closes.
            _log.LogInformation("Client port: closing {Remote}: unknown op {Op}", RemoteEndPoint, (int)header.Type);
            Answer(header.Xid, Task.FromResult(new WireReply(header.Xid, ZkErrorCode.Unimplemented, null, CloseAfter: true)));
            return false;
        }
        catch (JuteException e)
        {
            _log.LogInformation("Client port: closing {Remote}: malformed {Op} (xid {Xid}): {Problem}", RemoteEndPoint, header.Type, header.Xid, e.Message);
            Answer(header.Xid, Task.FromResult(new WireReply(header.Xid, ZkErrorCode.MarshallingError, null, CloseAfter: true)));
            return false;
        }
        LastOperation = Abbreviation(header.Type);
        if (header.Xid >= 0) LastXid = header.Xid;
        var xid = header.Xid;
        switch (header.Type, request)
        {
            case (OpCode.Ping, _):
                Answer(xid, Task.FromResult(new WireReply(Xids.Ping, ZkErrorCode.Ok, null)));
                return true;
            case (OpCode.Auth, AuthWireRequest auth):
                return Authenticate(xid, auth);
            case (OpCode.CloseSession, _):
                _sessionEnded = true;
                Answer(xid, Run(xid, OpCode.CloseSession, received, async () =>
                {
                    await client.CloseAsync();
                    return null;
                }, closeAfter: true));
                return false;
        }
        var slot = _sequencer.Reserve();
        _sequencer.Enqueue(slot, Run(xid, header.Type, received, Issue(header.Type, request, slot)));
        return true;
    }

    /// <summary>Issues the call now (its place in the session's order is taken here) and returns how to await its response record.</summary>
    private Func<Task<WireResponse?>> Issue(OpCode op, WireRequest request, ReplySequencer.Slot slot)
    {
        Task<WireResponse?> call;
        try
        {
            call = IssueNow(op, request, slot);
        }
        catch (ZkException e)
        {
            // Refused before anything was sent (an unknown create mode, an invalid path).
            call = Task.FromException<WireResponse?>(e);
        }
        return () => call;
    }

    private Task<WireResponse?> IssueNow(OpCode op, WireRequest request, ReplySequencer.Slot slot)
    {
        var client = _client!;
        return (op, request) switch
        {
            (OpCode.Create, CreateWireRequest c) => Then(client.CreateWithStatAsync(c.Path, c.Data, c.Acl ?? [], ModeOf(c.Flags)), x => new PathResponse(x.Path)),
            (OpCode.Create2 or OpCode.CreateContainer, CreateWireRequest c) =>
                Then(client.CreateWithStatAsync(c.Path, c.Data, c.Acl ?? [], CheckContainer(op, ModeOf(c.Flags))), x => new Create2Response(x.Path, x.Stat)),
            (OpCode.CreateTtl, CreateTtlWireRequest c) => Then(client.CreateWithStatAsync(c.Path, c.Data, c.Acl ?? [], ModeOf(c.Flags), c.Ttl), x => new Create2Response(x.Path, x.Stat)),
            (OpCode.Delete, PathVersionRequest d) => Then(client.DeleteAsync(d.Path, d.Version)),
            (OpCode.Check, PathVersionRequest c) => Then(client.MultiAsync([new CheckRequest(c.Path, c.Version)]), _ => new StatResponse(default)),
            (OpCode.SetData, SetDataWireRequest s) => Then(client.SetDataAsync(s.Path, s.Data, s.Version), x => new StatResponse(x)),
            (OpCode.SetAcl, SetAclWireRequest s) => Then(client.SetAclAsync(s.Path, s.Acl ?? [], s.Version), x => new StatResponse(x)),
            (OpCode.Exists, PathWatchRequest e) => Exists(e, slot),
            (OpCode.GetData, PathWatchRequest g) => g.Watch
                ? Watched(WatchKind.Data, g.Path, slot, w => Then(client.GetDataAsync(g.Path, w), x => new GetDataResponse(x.Data, x.Stat)))
                : Then(client.GetDataAsync(g.Path), x => new GetDataResponse(x.Data, x.Stat)),
            (OpCode.GetChildren or OpCode.GetChildren2, PathWatchRequest g) => Children(op, g, slot),
            (OpCode.GetAcl, PathRequest g) => Then(client.GetAclAsync(g.Path ?? ""), x => new GetAclResponse(x.Acl, x.Stat)),
            (OpCode.Sync, PathRequest s) => Then(client.SyncAsync(s.Path ?? ""), () => new PathResponse(s.Path ?? "")),
            (OpCode.GetAllChildrenNumber, PathRequest g) => Then(client.GetAllChildrenNumberAsync(g.Path ?? ""), x => new IntResponse(x)),
            (OpCode.GetEphemerals, PathRequest g) => Then(client.GetEphemeralsAsync("/"), x => new StringsResponse(Ephemerals(x, g.Path))),
            (OpCode.Multi, MultiWireRequest m) => Multi(m),
            (OpCode.MultiRead, MultiWireRequest m) => MultiRead(m),
            (OpCode.AddWatch, AddWatchWireRequest a) => AddWatch(a, slot),
            (OpCode.RemoveWatches, WatchesWireRequest w) => RemoveWatches(w),
            (OpCode.CheckWatches, WatchesWireRequest w) => CheckWatches(w),
            (OpCode.SetWatches or OpCode.SetWatches2, SetWatchesWireRequest s) => RestoreWatches(s),
            (OpCode.WhoAmI, _) => Then(client.WhoAmIAsync(), ids => new WhoAmIResponse([.. ids.Select(ClientInfoOf)])),
            _ => Task.FromException<WireResponse?>(new UnimplementedException(null, $"op {op}")),
        };
    }

    /// <summary>Awaits the call and makes the reply: Ok with the record, or ZooKeeper's error code; a lost connection or session ends this connection after its reply.</summary>
    /// <remarks>Its latency counts from <paramref name="received"/> (the frame parsed) to the reply made.</remarks>
    private async Task<WireReply> Run(int xid, OpCode op, long received, Func<Task<WireResponse?>> call, bool closeAfter = false)
    {
        try
        {
            var body = await call();
            return new WireReply(xid, ZkErrorCode.Ok, body, CloseAfter: closeAfter);
        }
        catch (ZkException e) when (e.Code is not (ZkErrorCode.ConnectionLoss or ZkErrorCode.SessionExpired or ZkErrorCode.OperationTimeout or ZkErrorCode.SessionMoved))
        {
            return new WireReply(xid, e.Code, null, CloseAfter: closeAfter);
        }
        catch (ZkException e)
        {
            // The outcome is unknown or the session is gone: as a ZooKeeper server that lost its
            // leader, drop the connection; the client reconnects and resumes, or learns of the expiry.
            _log.LogInformation("Client port: closing {Remote} (session 0x{Session:x}): {Problem}", RemoteEndPoint, SessionId, e.Message);
            return new WireReply(xid, e.Code, null, CloseAfter: true);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            return new WireReply(xid, ZkErrorCode.ConnectionLoss, null, CloseAfter: true);
        }
        finally
        {
            var us = LatencyHistogram.MicrosecondsBetween(received, Stopwatch.GetTimestamp());
            Stats.OnAnswered(us / 1000);
            _server.Stats.OnAnswered(us / 1000);
            if (op != OpCode.Auth) (op.IsUpdate() ? _server.UpdateTimes : _server.ReadTimes).Record(us);
            LastResponseMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        }
    }

    private Task<WireReply> Run(int xid, OpCode op, long received, Task<WireResponse?> call) => Run(xid, op, received, () => call);

    private void Answer(int xid, Task<WireReply> reply)
    {
        var slot = _sequencer.Reserve();
        _sequencer.Enqueue(slot, reply);
    }

    /// <summary>
    /// An auth packet (xid -4), as ZooKeeper's providers: digest is proven to the service; ip is the
    /// connection's own address, which the session already has (Ok); any other scheme is AuthFailed
    /// and the connection closes (the session lives on until it expires).
    /// </summary>
    private bool Authenticate(int xid, AuthWireRequest auth)
    {
        var client = _client!;
        switch (auth.Scheme)
        {
            case "digest" when auth.Auth is null:
                // zkCli's "addauth digest" without credentials sends a null buffer: ZooKeeper's
                // digest provider fails on it (AuthFailed) and the connection closes.
                _log.LogInformation("Client port: closing {Remote}: digest authentication without credentials", RemoteEndPoint);
                Answer(xid, Task.FromResult(new WireReply(xid, ZkErrorCode.AuthFailed, null, Zxid: 0, CloseAfter: true)));
                return false;
            case "digest":
                Answer(xid, AuthReply(xid, client.AddAuthAsync("digest", auth.Auth)));
                return true;
            case "ip":
                Answer(xid, Task.FromResult(new WireReply(xid, ZkErrorCode.Ok, null, Zxid: 0)));
                return true;
            default:
                _log.LogInformation("Client port: closing {Remote}: no authentication provider for scheme \"{Scheme}\"", RemoteEndPoint, auth.Scheme);
                Answer(xid, Task.FromResult(new WireReply(xid, ZkErrorCode.AuthFailed, null, Zxid: 0, CloseAfter: true)));
                return false;
        }
    }

    private async Task<WireReply> AuthReply(int xid, Task added)
    {
        var reply = await Run(xid, OpCode.Auth, Stopwatch.GetTimestamp(), Then(added));
        return reply with { Zxid = 0, CloseAfter = reply.CloseAfter || reply.Err != ZkErrorCode.Ok };
    }

    private Task<WireResponse?> Exists(PathWatchRequest e, ReplySequencer.Slot slot)
    {
        var client = _client!;
        // ZooKeeper answers exists on a missing node with NoNode (its client turns it into null).
        static WireResponse? Found(Stat? s, string path) => s is { } found ? new StatResponse(found) : throw new NoNodeException(path);
        return e.Watch
            ? Watched(WatchKind.Exists, e.Path, slot, w => Then(client.ExistsAsync(e.Path, w), s => Found(s, e.Path)), keepOnNoNode: true)
            : Then(client.ExistsAsync(e.Path), s => Found(s, e.Path));
    }

    private Task<WireResponse?> Children(OpCode op, PathWatchRequest g, ReplySequencer.Slot slot)
    {
        var client = _client!;
        Func<ChildrenResult, WireResponse?> map = op == OpCode.GetChildren ? x => new StringsResponse(x.Children) : x => new Children2Response(x.Children, x.Stat);
        return g.Watch
            ? Watched(WatchKind.Child, g.Path, slot, w => Then(client.GetChildrenWithStatAsync(g.Path, w), map))
            : Then(client.GetChildrenWithStatAsync(g.Path), map);
    }

    private Task<WireResponse?> AddWatch(AddWatchWireRequest a, ReplySequencer.Slot slot)
    {
        if (a.Mode is not (0 or 1)) return Task.FromException<WireResponse?>(new BadArgumentsException(a.Path, $"unknown watch mode {a.Mode}"));
        var mode = (AddWatchMode)a.Mode;
        return Watched(mode == AddWatchMode.Persistent ? WatchKind.Persistent : WatchKind.Recursive, a.Path, slot,
            w => Then(_client!.AddWatchAsync(a.Path, w, mode), () => new IntResponse(0)));
    }

    private Task<WireResponse?> RemoveWatches(WatchesWireRequest w)
    {
        var type = (WatcherType)w.Type;
        if (!Enum.IsDefined(type)) return Task.FromException<WireResponse?>(new BadArgumentsException(w.Path, $"unknown watcher type {w.Type}"));
        return Then(RemoveAndForgetAsync(w.Path, type));
    }

    private Task<WireResponse?> CheckWatches(WatchesWireRequest w)
    {
        var type = (WatcherType)w.Type;
        if (!Enum.IsDefined(type)) return Task.FromException<WireResponse?>(new BadArgumentsException(w.Path, $"unknown watcher type {w.Type}"));
        try
        {
            return _client!.HasWatches(w.Path, type) ? Task.FromResult<WireResponse?>(null) : Task.FromException<WireResponse?>(new NoWatcherException(w.Path));
        }
        catch (ZkException e)
        {
            return Task.FromException<WireResponse?>(e);
        }
    }

    /// <summary>
    /// setWatches / setWatches2 as ZooKeeper answers them: a one-shot watch whose node changed
    /// after the client's last zxid fires at once, the others are set; a persistent or recursive
    /// watch is set as of now, with no event for what it missed (ZooKeeper keeps no history to
    /// replay), as an addWatch of the same path would set it.
    /// </summary>
    private Task<WireResponse?> RestoreWatches(SetWatchesWireRequest s) => Then(RestoreWatchesAsync(s));

    private async Task RestoreWatchesAsync(SetWatchesWireRequest s)
    {
        var client = _client!;
        await client.RestoreWatchesAsync(s.RelativeZxid, new WatchRestore(s.Data, s.Exist, s.Child, [], []), RestoredWatcher);
        foreach (var path in s.Persistent ?? []) await client.AddWatchAsync(path, RestoredWatcher, AddWatchMode.Persistent);
        foreach (var path in s.PersistentRecursive ?? []) await client.AddWatchAsync(path, RestoredWatcher, AddWatchMode.PersistentRecursive);
    }

    private Task<WireResponse?> Multi(MultiWireRequest m)
    {
        List<WriteRequest> ops;
        try
        {
            ops = [.. m.Ops.Select(ToWrite)];
        }
        catch (ZkException e)
        {
            return Task.FromException<WireResponse?>(e);
        }
        return MultiAsync(m, ops);
    }

    private async Task<WireResponse?> MultiAsync(MultiWireRequest m, List<WriteRequest> ops)
    {
        try
        {
            var results = await _client!.MultiAsync(ops);
            return new MultiResponse([.. results.Select((result, i) => MultiResultOf(m.Ops[i].Type, result))]);
        }
        catch (ZkException e) when (e.Results is { Count: > 0 } results)
        {
            // A failed multi: Ok header, every op an ErrorResult (Ok before the failing op, its code, RuntimeInconsistency after).
            return new MultiResponse([.. results.Select(r => new MultiResult(OpCode.Error, r.Code, new IntResponse((int)r.Code)))]);
        }
    }

    private static MultiResult MultiResultOf(OpCode op, OpResult result) => op switch
    {
        OpCode.Create => new MultiResult(op, ZkErrorCode.Ok, new PathResponse(result.Path ?? "")),
        OpCode.Create2 or OpCode.CreateTtl or OpCode.CreateContainer => new MultiResult(op, ZkErrorCode.Ok, new Create2Response(result.Path ?? "", result.Stat ?? default)),
        OpCode.SetData => new MultiResult(op, ZkErrorCode.Ok, new StatResponse(result.Stat ?? default)),
        _ => new MultiResult(op, ZkErrorCode.Ok, null),
    };

    private static WriteRequest ToWrite(MultiOp op) => (op.Type, op.Request) switch
    {
        (OpCode.Create, CreateWireRequest c) => new CreateRequest(c.Path, c.Data, c.Acl ?? [], ModeOf(c.Flags)),
        (OpCode.Create2 or OpCode.CreateContainer, CreateWireRequest c) => new CreateRequest(c.Path, c.Data, c.Acl ?? [], CheckContainer(op.Type, ModeOf(c.Flags))),
        (OpCode.CreateTtl, CreateTtlWireRequest c) => new CreateRequest(c.Path, c.Data, c.Acl ?? [], ModeOf(c.Flags), c.Ttl),
        (OpCode.Delete, PathVersionRequest d) => new DeleteRequest(d.Path, d.Version),
        (OpCode.SetData, SetDataWireRequest s) => new SetDataRequest(s.Path, s.Data, s.Version),
        (OpCode.Check, PathVersionRequest c) => new CheckRequest(c.Path, c.Version),
        _ => throw new BadArgumentsException(null, $"op {op.Type} cannot be part of a multi"),
    };

    private async Task<WireResponse?> MultiRead(MultiWireRequest m)
    {
        if (m.Ops.Any(op => op.Type is not (OpCode.GetData or OpCode.GetChildren)))
            throw new BadArgumentsException(null, "multiRead takes getData and getChildren only");
        var ops = m.Ops.Select(op => op.Type == OpCode.GetData
            ? ReadOp.GetData(((PathWatchRequest)op.Request).Path)
            : ReadOp.GetChildren(((PathWatchRequest)op.Request).Path)).ToList();
        var results = await _client!.MultiReadAsync(ops);
        return new MultiResponse([.. results.Select((result, i) => result.Code != ZkErrorCode.Ok
            ? new MultiResult(OpCode.Error, result.Code, new IntResponse((int)result.Code))
            : m.Ops[i].Type == OpCode.GetData
                ? new MultiResult(OpCode.GetData, ZkErrorCode.Ok, new GetDataResponse(result.Data, result.Stat ?? default))
                : new MultiResult(OpCode.GetChildren, ZkErrorCode.Ok, new StringsResponse(result.Children ?? [])))]);
    }

    /// <summary>ZooKeeper's getEphemerals filter: "/" or blank = all, else the paths starting with the prefix as a string.</summary>
    private static List<string> Ephemerals(IReadOnlyList<string> all, string? prefix) =>
        string.IsNullOrWhiteSpace(prefix) || prefix.Trim() == "/" ? [.. all] : [.. all.Where(p => p.StartsWith(prefix, StringComparison.Ordinal))];

    /// <summary>whoAmI's user: a digest id's user name (before the colon), any other id as it is.</summary>
    private static ClientInfo ClientInfoOf(ZkId id) =>
        new(id.Scheme, id.Scheme == "digest" && id.Id.IndexOf(':') is var colon and >= 0 ? id.Id[..colon] : id.Id);

    /// <summary>ZooKeeper's CreateMode flag; an unknown flag is BadArguments (its CreateMode.fromFlag).</summary>
    private static CreateMode ModeOf(int flags)
    {
        var mode = (CreateMode)flags;
        return mode.IsDefined() ? mode : throw new BadArgumentsException(null, $"unknown create mode {flags}");
    }

    /// <summary>createContainer takes the container mode only, and create2 never does (as ZooKeeper's PrepRequestProcessor).</summary>
    private static CreateMode CheckContainer(OpCode op, CreateMode mode) =>
        (op == OpCode.CreateContainer) == mode.IsContainer() ? mode : throw new BadArgumentsException(null, $"{op} with create mode {mode}");

    private static async Task<WireResponse?> Then<T>(Task<T> call, Func<T, WireResponse?> map) => map(await call);

    private static async Task<WireResponse?> Then(Task call, Func<WireResponse?>? map = null)
    {
        await call;
        return map?.Invoke();
    }

    /// <summary>The op's name in ZooKeeper's connection statistics (lop).</summary>
    private static string Abbreviation(OpCode op) => op switch
    {
        OpCode.Ping => "PING",
        OpCode.Create or OpCode.Create2 or OpCode.CreateTtl or OpCode.CreateContainer => "CREA",
        OpCode.Delete => "DELE",
        OpCode.SetData => "SETD",
        OpCode.SetAcl => "SETA",
        OpCode.CloseSession => "CLOS",
        OpCode.Sync => "SYNC",
        OpCode.Check => "CHEC",
        OpCode.Exists => "EXIS",
        OpCode.GetData => "GETD",
        OpCode.SetWatches => "SETW",
        OpCode.SetWatches2 => "STW2",
        OpCode.AddWatch => "ADDW",
        OpCode.GetAcl => "GETA",
        OpCode.GetChildren or OpCode.GetChildren2 => "GETC",
        OpCode.GetAllChildrenNumber => "GETACN",
        OpCode.CheckWatches => "CHKW",
        OpCode.RemoveWatches => "REMW",
        OpCode.WhoAmI => "HOMI",
        OpCode.GetEphemerals => "GETE",
        OpCode.Multi => "MULT",
        OpCode.MultiRead => "MLTR",
        OpCode.Auth => "AUTH",
        _ => "NA",
    };
}
