namespace OrleansZk.Core;

/// <summary>
/// Turns client requests into transactions, as ZooKeeper's PrepRequestProcessor: it validates each
/// request against the tree plus the changes prepared but not yet applied (so a pipeline of
/// dependent writes works), checks the session, the ACL and versions, and fixes every
/// non-deterministic value — zxid, time, new versions, sequential names, session ids. A request that
/// fails still becomes a transaction (an <see cref="ErrorTxn"/>) and consumes its zxid.
/// Single-threaded: one preparer per leader, called in request order.
/// </summary>
public sealed partial class RequestPreparer
{
    private readonly DataTree _tree;
    private readonly PendingChanges _pending = new();

    public RequestPreparer(DataTree tree, PreparerOptions? options = null)
    {
        _tree = tree;
        Options = options ?? new PreparerOptions();
        LastZxid = tree.LastZxid;
    }

    public PreparerOptions Options { get; }

    /// <summary>The zxid of the last transaction prepared.</summary>
    public long LastZxid { get; private set; }

    /// <summary>Number of prepared changes the tree has not applied yet.</summary>
    public int PendingCount { get { _pending.Purge(_tree.LastZxid); return _pending.Count; } }

    /// <summary>
    /// Prepares a write as the transaction with zxid <paramref name="zxid"/>, which the caller got
    /// from the replication engine (the one zxid authority) and which must be above every zxid
    /// prepared before. Returns the transaction to log and apply; an <see cref="ErrorTxn"/> body
    /// when the request fails. Throws <see cref="RequestTooLargeException"/> (BadArguments),
    /// before touching any state, for a request larger than <see cref="PreparerOptions.MaxRequestBytes"/>
    /// (see <see cref="CheckSize"/>): such a request must not consume a zxid.
    /// </summary>
    public Txn Prepare(WriteRequest request, RequestContext context, long zxid)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        CheckSize(request);
        if (zxid <= LastZxid) throw new ArgumentOutOfRangeException(nameof(zxid), $"zxid 0x{zxid:x} is not above the last prepared, 0x{LastZxid:x}");
        _pending.Purge(_tree.LastZxid);
        LastZxid = zxid;
        var step = new Step(zxid, context);

        TxnBody body;
        if (request is MultiRequest multi)
        {
            body = PrepareMulti(multi, step);
        }
        else
        {
            try
            {
                body = PrepareOne(request, step);
            }
            catch (ZkException e)
            {
                body = new ErrorTxn(e.Code);
            }
        }
        return new Txn(zxid, context.TimeMs, context.SessionId, context.Xid, body);
    }

    /// <summary>What every op of one request shares: its zxid and its caller.</summary>
    private readonly record struct Step(long Zxid, RequestContext Context)
    {
        public AuthInfo Auth => Context.Auth;
        public long SessionId => Context.SessionId;
        public long TimeMs => Context.TimeMs;
    }

    private TxnBody PrepareOne(WriteRequest request, Step step) => request switch
    {
        CreateRequest r => PrepareCreate(r, step),
        DeleteRequest r => PrepareDelete(r, step),
        SetDataRequest r => PrepareSetData(r, step),
        SetAclRequest r => PrepareSetAcl(r, step),
        CheckRequest r => PrepareCheck(r, step),
        DeleteContainerRequest r => PrepareDeleteContainer(r, step),
        CreateSessionRequest r => PrepareCreateSession(r, step),
        CloseSessionRequest => PrepareCloseSession(step),
        _ => throw new ZkException(ZkErrorCode.BadArguments, null, $"{request.GetType().Name} is not a write request"),
    };

    /// <summary>
    /// A multi, as ZooKeeper: each op is prepared (session check included) on top of the earlier
    /// ones; at the first failure the ops prepared so far are rolled back, the failing op records
    /// its code and every later op RuntimeInconsistency. An empty multi succeeds.
    /// </summary>
    private TxnBody PrepareMulti(MultiRequest multi, Step step)
    {
        var ops = new List<TxnBody>(multi.Ops.Count);
        var failed = false;
        _pending.BeginScope();
        foreach (var op in multi.Ops)
        {
            if (failed)
            {
                ops.Add(new ErrorTxn(ZkErrorCode.RuntimeInconsistency));
                continue;
            }
            try
            {
                ops.Add(op switch
                {
                    CreateRequest or DeleteRequest or SetDataRequest or CheckRequest => PrepareOne(op, step),
                    _ => throw new ZkException(ZkErrorCode.BadArguments, null, $"{op.GetType().Name} cannot be part of a multi"),
                });
            }
            catch (ZkException e)
            {
                ops.Add(new ErrorTxn(e.Code));
                failed = true;
                _pending.Rollback();
            }
        }
        _pending.Commit();
        return new MultiTxn(ops);
    }

    /// <summary>The node as it will be once everything prepared is applied; NoNode if it will not exist.</summary>
    private ChangeRecord Record(string path)
    {
        if (_pending.TryGet(path, out var r))
            return r.Exists ? r : throw new ZkException(ZkErrorCode.NoNode, path);
        var node = _tree.GetNode(path);
        return node != null ? ChangeRecord.FromNode(path, node) : throw new ZkException(ZkErrorCode.NoNode, path);
    }

    private bool Exists(string path) =>
        _pending.TryGet(path, out var r) ? r.Exists : _tree.GetNode(path) != null;

    /// <summary>The session must be open and not closing; the service itself (session 0) always may write.</summary>
    private void CheckSession(Step step)
    {
        if (step.SessionId == 0) return;
        var open = _pending.SessionState(step.SessionId) ?? _tree.Sessions.ContainsKey(step.SessionId);
        if (!open) throw new ZkException(ZkErrorCode.SessionExpired);
    }

    /// <summary>ZooKeeper's checkAndIncVersion: -1 matches any; the next version skips -1 on overflow.</summary>
    private static int CheckAndIncVersion(int current, int expected, string path)
    {
        if (expected != -1 && expected != current) throw new ZkException(ZkErrorCode.BadVersion, path);
        var next = unchecked(current + 1);
        return next == -1 ? 0 : next;
    }

    /// <summary>Throws <see cref="RequestTooLargeException"/> for a request larger than <see cref="PreparerOptions.MaxRequestBytes"/>.</summary>
    public void CheckSize(WriteRequest request)
    {
        var size = RequestSize.Of(request);
        if (size > Options.MaxRequestBytes)
        {
            throw new RequestTooLargeException(RequestSize.PathOf(request), size, Options.MaxRequestBytes);
        }
    }
}
