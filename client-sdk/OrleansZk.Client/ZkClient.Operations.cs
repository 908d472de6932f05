using OrleansZk.Core;

namespace OrleansZk.Client;

public sealed partial class ZkClient
{
    /// <summary>Creates a node and returns its actual path (with the sequence suffix for a sequential mode).</summary>
    /// <param name="path">The node's path (for a sequential mode, the prefix of its name).</param>
    /// <param name="data">Its data (null = none).</param>
    /// <param name="acl">Its ACL; null = world:anyone with all permissions.</param>
    /// <param name="mode">Persistent, ephemeral (deleted with this session), sequential, container or TTL.</param>
    /// <param name="ttl">For the TTL modes, milliseconds without change after which the childless node is deleted; -1 otherwise.</param>
    /// <param name="ct">Stops waiting; the create may still take effect.</param>
    /// <exception cref="NodeExistsException">The node exists.</exception>
    /// <exception cref="NoNodeException">The parent does not exist.</exception>
    /// <exception cref="NoChildrenForEphemeralsException">The parent is ephemeral.</exception>
    /// <exception cref="BadArgumentsException">Invalid path or TTL, or the request is larger than the service allows.</exception>
    /// <exception cref="InvalidAclException">An empty or invalid ACL.</exception>
    /// <exception cref="NoAuthException">No CREATE permission on the parent.</exception>
    public async Task<string> CreateAsync(string path, byte[]? data, IReadOnlyList<Acl>? acl = null,
        CreateMode mode = CreateMode.Persistent, long ttl = -1, CancellationToken ct = default) =>
        (await CreateWithStatAsync(path, data, acl, mode, ttl, ct).ConfigureAwait(false)).Path;

    /// <summary>Creates a node and returns its actual path and its stat (ZooKeeper's create2); as <see cref="CreateAsync"/>.</summary>
    public async Task<CreateResult> CreateWithStatAsync(string path, byte[]? data, IReadOnlyList<Acl>? acl = null,
        CreateMode mode = CreateMode.Persistent, long ttl = -1, CancellationToken ct = default)
    {
        var reply = await WriteAsync(new CreateRequest(path, data, acl ?? AclList.OpenUnsafe, mode, ttl), ct).ConfigureAwait(false);
        return new CreateResult(reply.Result.Path ?? path, reply.Result.Stat ?? default);
    }

    /// <summary>Deletes a node if its version matches (-1 = any).</summary>
    /// <exception cref="NoNodeException">The node does not exist.</exception>
    /// <exception cref="BadVersionException">The version does not match.</exception>
    /// <exception cref="NotEmptyException">The node has children.</exception>
    /// <exception cref="BadArgumentsException">Invalid path, or a node the service does not let clients delete ("/", /zookeeper).</exception>
    public Task DeleteAsync(string path, int version = -1, CancellationToken ct = default) =>
        WriteAsync(new DeleteRequest(path, version), ct);

    /// <summary>The node's stat, or null when it does not exist.</summary>
    public Task<Stat?> ExistsAsync(string path, CancellationToken ct = default) => ExistsAsync(path, ReadConsistency.Default, ct);

    /// <summary>The node's stat, or null when it does not exist, read with the given <paramref name="consistency"/>.</summary>
    public async Task<Stat?> ExistsAsync(string path, ReadConsistency consistency, CancellationToken ct = default)
    {
        var reply = await ReadAsync(ReadKind.Exists, path, new ExistsRequest(path), ct, absentIsError: false, consistency: consistency).ConfigureAwait(false);
        // The service answers an absent node with no stat (or, equally, NoNode).
        return reply.Code == ZkErrorCode.NoNode ? null : reply.Stat;
    }

    /// <summary>The node's data and stat.</summary>
    /// <exception cref="NoNodeException">The node does not exist.</exception>
    /// <exception cref="NoAuthException">No READ permission.</exception>
    public Task<DataResult> GetDataAsync(string path, CancellationToken ct = default) => GetDataAsync(path, ReadConsistency.Default, ct);

    /// <summary>The node's data and stat, read with the given <paramref name="consistency"/>.</summary>
    /// <exception cref="NoNodeException">The node does not exist.</exception>
    /// <exception cref="NoAuthException">No READ permission.</exception>
    public async Task<DataResult> GetDataAsync(string path, ReadConsistency consistency, CancellationToken ct = default)
    {
        var reply = await ReadAsync(ReadKind.GetData, path, new GetDataRequest(path), ct, consistency: consistency).ConfigureAwait(false);
        return new DataResult(reply.Data, reply.Stat ?? default);
    }

    /// <summary>Replaces the node's data if its version matches (-1 = any); returns the new stat.</summary>
    /// <exception cref="NoNodeException">The node does not exist.</exception>
    /// <exception cref="BadVersionException">The version does not match.</exception>
    /// <exception cref="BadArgumentsException">Invalid path, or the data is larger than the service allows.</exception>
    public async Task<Stat> SetDataAsync(string path, byte[]? data, int version = -1, CancellationToken ct = default)
    {
        var reply = await WriteAsync(new SetDataRequest(path, data, version), ct).ConfigureAwait(false);
        return reply.Result.Stat ?? default;
    }

    /// <summary>The names of the node's children, in no particular order (as ZooKeeper).</summary>
    /// <exception cref="NoNodeException">The node does not exist.</exception>
    public async Task<IReadOnlyList<string>> GetChildrenAsync(string path, CancellationToken ct = default) =>
        (await GetChildrenWithStatAsync(path, ReadConsistency.Default, ct).ConfigureAwait(false)).Children;

    /// <summary>The names of the node's children, read with the given <paramref name="consistency"/>.</summary>
    /// <exception cref="NoNodeException">The node does not exist.</exception>
    public async Task<IReadOnlyList<string>> GetChildrenAsync(string path, ReadConsistency consistency, CancellationToken ct = default) =>
        (await GetChildrenWithStatAsync(path, consistency, ct).ConfigureAwait(false)).Children;

    /// <summary>The names of the node's children (in no particular order) and the node's stat.</summary>
    /// <exception cref="NoNodeException">The node does not exist.</exception>
    public Task<ChildrenResult> GetChildrenWithStatAsync(string path, CancellationToken ct = default) =>
        GetChildrenWithStatAsync(path, ReadConsistency.Default, ct);

    /// <summary>The names of the node's children and the node's stat, read with the given <paramref name="consistency"/>.</summary>
    /// <exception cref="NoNodeException">The node does not exist.</exception>
    public async Task<ChildrenResult> GetChildrenWithStatAsync(string path, ReadConsistency consistency, CancellationToken ct = default)
    {
        var reply = await ReadAsync(ReadKind.GetChildren, path, new GetChildrenRequest(path), ct, consistency: consistency).ConfigureAwait(false);
        return new ChildrenResult(reply.Children ?? [], reply.Stat ?? default);
    }

    /// <summary>How many nodes lie below the node, at any depth.</summary>
    /// <exception cref="NoNodeException">The node does not exist.</exception>
    public Task<int> GetAllChildrenNumberAsync(string path, CancellationToken ct = default) =>
        GetAllChildrenNumberAsync(path, ReadConsistency.Default, ct);

    /// <summary>How many nodes lie below the node, at any depth, read with the given <paramref name="consistency"/>.</summary>
    /// <exception cref="NoNodeException">The node does not exist.</exception>
    public async Task<int> GetAllChildrenNumberAsync(string path, ReadConsistency consistency, CancellationToken ct = default)
    {
        var reply = await ReadAsync(ReadKind.GetAllChildrenNumber, path, new GetAllChildrenNumberRequest(path), ct, consistency: consistency).ConfigureAwait(false);
        return reply.Count;
    }

    /// <summary>The node's ACL and stat.</summary>
    /// <exception cref="NoNodeException">The node does not exist.</exception>
    public Task<AclResult> GetAclAsync(string path, CancellationToken ct = default) => GetAclAsync(path, ReadConsistency.Default, ct);

    /// <summary>The node's ACL and stat, read with the given <paramref name="consistency"/>.</summary>
    /// <exception cref="NoNodeException">The node does not exist.</exception>
    public async Task<AclResult> GetAclAsync(string path, ReadConsistency consistency, CancellationToken ct = default)
    {
        var reply = await ReadAsync(ReadKind.GetAcl, path, new GetAclRequest(path), ct, consistency: consistency).ConfigureAwait(false);
        return new AclResult(reply.Acl ?? AclList.Empty, reply.Stat ?? default);
    }

    /// <summary>Replaces the node's ACL if its ACL version matches (-1 = any); returns the new stat.</summary>
    /// <exception cref="NoNodeException">The node does not exist.</exception>
    /// <exception cref="BadVersionException">The ACL version does not match.</exception>
    /// <exception cref="InvalidAclException">An empty or invalid ACL.</exception>
    /// <exception cref="NoAuthException">No ADMIN permission.</exception>
    public async Task<Stat> SetAclAsync(string path, IReadOnlyList<Acl> acl, int aversion = -1, CancellationToken ct = default)
    {
        var reply = await WriteAsync(new SetAclRequest(path, acl, aversion), ct).ConfigureAwait(false);
        return reply.Result.Stat ?? default;
    }

    /// <summary>
    /// Adds an identity to the session ("digest" with "user:password"). Ordered like a write: sent
    /// after this client's earlier requests complete, and later requests wait for it.
    /// </summary>
    /// <exception cref="AuthFailedException">An unknown scheme (the state becomes
    /// <see cref="ZkClientState.AuthFailed"/>; the session carries on).</exception>
    public async Task AddAuthAsync(string scheme, byte[] auth, CancellationToken ct = default)
    {
        if (scheme == null || auth == null) throw new BadArgumentsException(null, "addauth needs a scheme and an identity");
        var reply = await AwaitReply(SubmitAuth(scheme, auth), ct, leader: true).ConfigureAwait(false);
        if (reply.Code == ZkErrorCode.Ok) return;
        if (reply.Code == ZkErrorCode.SessionExpired) throw OnExpired($"session 0x{SessionId:x} expired");
        OnAuthRefused();
        throw ZkException.For(reply.Code, null, "addauth " + scheme);
    }

    /// <summary>Waits until the service has applied everything committed before the call; reads made afterwards see it all.</summary>
    public async Task SyncAsync(string path, CancellationToken ct = default)
    {
        ZkFailures.ValidatePath(path);
        var reply = await AwaitReply(SubmitOrdered((replica, id, xid) => replica.Sync(id, xid, path)), ct, leader: true).ConfigureAwait(false);
        if (reply.Code == ZkErrorCode.SessionExpired) OnExpired(reply.Detail ?? $"session 0x{SessionId:x} expired");
        else await HoldForWrite(reply).ConfigureAwait(false);
        if (reply.Code != ZkErrorCode.Ok) throw ZkFailures.ForWrite(reply, path);
    }

    /// <summary>
    /// Every replica of the ensemble as it reports itself (ZooKeeper's <c>srvr</c>, for all of them):
    /// role, epoch, zxids, the leader's followers in sync and sync plans, the last election's
    /// duration; a replica whose silo is down is reported unreachable. Needs no session.
    /// </summary>
    public async Task<IReadOnlyList<ReplicaStatus>> GetEnsembleStatusAsync(CancellationToken ct = default) =>
        await AwaitReply(ServiceGrain().GetEnsembleStatus(), null, ct).ConfigureAwait(false);

    /// <summary>
    /// This session's ephemeral nodes whose paths start with <paramref name="prefix"/> as a plain
    /// string ("/" = all; "/ap" matches /app/e and /apple), sorted. The prefix must be a valid path.
    /// </summary>
    /// <exception cref="BadArgumentsException">The prefix is not a valid path ("", "app", "/app/").</exception>
    public async Task<IReadOnlyList<string>> GetEphemeralsAsync(string prefix = "/", CancellationToken ct = default)
    {
        ZkFailures.Validate(new GetEphemeralsRequest(prefix));
        return await AwaitReply(SendRead(info => Replica(info).GetEphemerals(info.SessionId, prefix)), ct, leader: true).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies <paramref name="ops"/> (create, delete, setData, check) atomically: all or none, at one zxid.
    /// Returns one result per op.
    /// </summary>
    /// <exception cref="ZkException">The typed exception of the first failing op, with <see cref="ZkException.Results"/>
    /// holding every op's result (the failing op its code, the ones before it Ok, the ones after RuntimeInconsistency).</exception>
    public async Task<IReadOnlyList<OpResult>> MultiAsync(IEnumerable<WriteRequest> ops, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(ops);
        List<WriteRequest> list = [.. ops];
        // As ZooKeeper's client: an empty multi is answered here and consumes no zxid.
        if (list.Count == 0) return [];
        var reply = await WriteAsync(new MultiRequest(list), ct).ConfigureAwait(false);
        return reply.MultiResults ?? [];
    }

    /// <summary>
    /// Several reads in one call (ZooKeeper's multiRead): getData and getChildren, issued in order as
    /// separate reads are, each answered on its own — a failing one (NoNode, NoAuth) gives its code in
    /// its result and the others go on. Not a snapshot: like separate reads, each sees at least what
    /// this client had seen when it was called. An empty list is answered here.
    /// </summary>
    /// <exception cref="BadArgumentsException">An invalid path (nothing is sent).</exception>
    /// <exception cref="ConnectionLossException">The connection was lost (no result is given).</exception>
    /// <exception cref="SessionExpiredException">The session expired.</exception>
    public async Task<IReadOnlyList<ReadOpResult>> MultiReadAsync(IEnumerable<ReadOp> ops, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(ops);
        List<ReadOp> list = [.. ops];
        foreach (var op in list) ZkFailures.ValidatePath(op.Path);
        // Every read takes its place in the order before any is awaited.
        var reads = list.Select(op => op.Kind == ReadOpKind.GetData
            ? ReadAsync(ReadKind.GetData, op.Path, new GetDataRequest(op.Path), ct)
            : ReadAsync(ReadKind.GetChildren, op.Path, new GetChildrenRequest(op.Path), ct)).ToList();
        var results = new List<ReadOpResult>(list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            try
            {
                var reply = await reads[i].ConfigureAwait(false);
                results.Add(list[i].Kind == ReadOpKind.GetData
                    ? new ReadOpResult(ZkErrorCode.Ok, reply.Data, reply.Stat ?? default, null)
                    : new ReadOpResult(ZkErrorCode.Ok, null, reply.Stat ?? default, reply.Children ?? []));
            }
            catch (ZkException e) when (e.Code is not (ZkErrorCode.ConnectionLoss or ZkErrorCode.SessionExpired or ZkErrorCode.OperationTimeout))
            {
                results.Add(new ReadOpResult(e.Code, null, null, null));
            }
        }
        return results;
    }

    /// <summary>
    /// The identities of this session (ZooKeeper's whoAmI), in the order a ZooKeeper server lists them:
    /// each digest id proven by addauth ("digest", "alice:&lt;hash&gt;"), and "ip" with the client's
    /// address when it has one (<see cref="ZkClientOptions.ClientAddress"/>). Ordered like a read.
    /// </summary>
    public async Task<IReadOnlyList<ZkId>> WhoAmIAsync(CancellationToken ct = default)
    {
        var auth = await AwaitReply(SendRead(info => Replica(info).GetSessionAuth(info.SessionId)), ct, leader: true).ConfigureAwait(false);
        return new AuthInfo(auth.Ids, auth.Address).ServerOrder;
    }

    /// <summary>Starts a fluent transaction; nothing is sent until <see cref="ZkTransaction.CommitAsync"/>.</summary>
    public ZkTransaction Transaction() => new(this);

    private async Task<WriteReply> WriteAsync(WriteRequest request, CancellationToken ct)
    {
        ZkFailures.Validate(request);
        var reply = await AwaitReply(SubmitOrdered((replica, id, xid) => Submit(replica, id, xid, request)), ct, leader: true).ConfigureAwait(false);
        if (reply.Code == ZkErrorCode.SessionExpired) OnExpired(reply.Detail ?? $"session 0x{SessionId:x} expired");
        // The session's events this write caused (or any before it) reach their watchers before the reply does.
        else await HoldForWrite(reply).ConfigureAwait(false);
        if (reply.Code != ZkErrorCode.Ok) throw ZkFailures.ForWrite(reply, RequestSize.PathOf(request));
        return reply;
    }

    /// <summary>A write to the replica: as a turn of its activation when that is in this silo (<see cref="IZkLocalCalls"/>), else a grain call.</summary>
    private Task<WriteReply> Submit(IZkReplicaGrain replica, long sessionId, int xid, WriteRequest request) =>
        _local != null && _local.TrySubmit(replica.GetPrimaryKeyLong(), sessionId, xid, request, out var here) ? here : replica.Submit(sessionId, xid, request);

    private async Task<ReadReply> ReadAsync(ReadKind kind, string path, ReadRequest request, CancellationToken ct, bool absentIsError = true, bool watch = false,
        ReadConsistency consistency = ReadConsistency.Default, Task? after = null)
    {
        ZkFailures.Validate(request);
        if ((consistency == ReadConsistency.Default ? _options.ReadConsistency : consistency) == ReadConsistency.Linearizable)
        {
            // The leader confirms with a quorum that it still leads and names what it has applied;
            // the read below then carries at least that zxid.
            var barrier = await AwaitReply(SendRead(info => Replica(info).ReadBarrier(info.SessionId)), ct, leader: true).ConfigureAwait(false);
            if (barrier < 0) throw OnExpired($"session 0x{SessionId:x} expired");
            FoldZxid(barrier);
        }
        // AuthVersion and MinZxid are read when the call is sent, after the requests it waited for.
        var (pageSize, pageAfter) = request is GetChildrenPageRequest page ? (page.PageSize, page.After) : (0, null);
        var call = SendRead(info => ReadPartition(info, new ReadCall(kind, path, info.SessionId, _authVersion, LastZxid, watch, pageSize, pageAfter)), after);
        var reply = await AwaitReply(call, ct).ConfigureAwait(false);
        FoldZxid(reply.Zxid);
        // A watch event for what this reply shows reaches its watchers before the reply does.
        await HoldForRead(reply).ConfigureAwait(false);
        if (reply.Code == ZkErrorCode.Ok || (reply.Code == ZkErrorCode.NoNode && !absentIsError)) return reply;
        if (reply.Code == ZkErrorCode.SessionExpired) throw OnExpired(reply.Detail ?? $"session 0x{SessionId:x} expired");
        throw ZkException.For(reply.Code, reply.ErrorPath ?? path, reply.Detail);
    }
}
