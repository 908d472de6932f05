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
    /// Starts a new epoch: the next zxid is (epoch &lt;&lt; 32) | 1. Only when nothing is pending
    /// (a new leader prepares on top of an applied tree).
    /// </summary>
    public void StartEpoch(long epoch)
    {
        var first = Zxid.Make(epoch, 0);
        if (first <= LastZxid) throw new InvalidOperationException($"epoch {epoch} is not after zxid 0x{LastZxid:x}");
        LastZxid = first;
    }

    /// <summary>
    /// Prepares a write. Returns the transaction to log and apply, an <see cref="ErrorTxn"/> body
    /// when the request fails. Throws <see cref="RequestTooLargeException"/> (BadArguments) only for a request
    /// that is rejected before it gets a zxid: one larger than <see cref="PreparerOptions.MaxRequestBytes"/>.
    /// </summary>
    public Txn Prepare(WriteRequest request, RequestContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        CheckSize(request);
        _pending.Purge(_tree.LastZxid);
        var zxid = LastZxid + 1;
        if (Zxid.Counter(zxid) == 0) throw new InvalidOperationException("zxid counter exhausted: a new epoch is needed");
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

    private void CheckSize(WriteRequest request)
    {
        var size = RequestSize.Of(request);
        if (size > Options.MaxRequestBytes)
        {
            throw new RequestTooLargeException(RequestSize.PathOf(request), size, Options.MaxRequestBytes);
        }
    }
}
