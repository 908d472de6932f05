using System.Runtime.InteropServices;

namespace OrleansZk.Core;

public sealed partial class DataTree
{
    /// <summary>
    /// Applies a prepared transaction and returns its result and the watch triggers it causes, in
    /// order. Deterministic (no clock, no randomness). Bodies carry absolute values, so applying the
    /// same txn twice in a row leaves the tree as one application did.
    /// </summary>
    public ApplyResult Apply(Txn txn)
    {
        var triggers = new List<WatchTrigger>(2);
        OpResult result;
        List<OpResult>? multi = null;
        if (txn.Body is MultiTxn m)
        {
            multi = ApplyMulti(txn, m, triggers);
            result = new OpResult(multi.FirstOrDefault(r => r.Code != ZkErrorCode.Ok).Code);
        }
        else
        {
            result = ApplyOne(txn, txn.Body, triggers);
        }
        if (txn.Zxid > LastZxid) LastZxid = txn.Zxid;
        return new ApplyResult(txn.Zxid, result, multi, triggers);
    }

    private List<OpResult> ApplyMulti(Txn txn, MultiTxn multi, List<WatchTrigger> triggers)
    {
        var results = new List<OpResult>(multi.Ops.Count);
        var failed = multi.Ops.Any(op => op is ErrorTxn);
        if (failed)
        {
            // As ZooKeeper: ops before the failing one report Ok, the failing one its code, the rest
            // RuntimeInconsistency (prepared as ErrorTxns); nothing is changed.
            var postFailed = false;
            foreach (var op in multi.Ops)
            {
                if (op is ErrorTxn e)
                {
                    results.Add(new OpResult(e.Code));
                    postFailed = true;
                }
                else
                {
                    results.Add(new OpResult(postFailed ? ZkErrorCode.RuntimeInconsistency : ZkErrorCode.Ok));
                }
            }
            return results;
        }
        foreach (var op in multi.Ops) results.Add(ApplyOne(txn, op, triggers));
        return results;
    }

    private OpResult ApplyOne(Txn txn, TxnBody body, List<WatchTrigger> triggers) => body switch
    {
        CreateTxn c => ApplyCreate(txn, c, triggers),
        DeleteTxn d => ApplyDelete(txn.Zxid, d.Path, triggers),
        SetDataTxn s => ApplySetData(txn, s, triggers),
        SetAclTxn a => ApplySetAcl(a),
        CheckTxn => new OpResult(ZkErrorCode.Ok),
        ErrorTxn e => new OpResult(e.Code),
        CreateSessionTxn cs => ApplyCreateSession(cs),
        CloseSessionTxn cl => ApplyCloseSession(txn.Zxid, cl, triggers),
        _ => throw new ArgumentException($"a {body.GetType().Name} cannot be applied here", nameof(body)),
    };

    private OpResult ApplyCreate(Txn txn, CreateTxn c, List<WatchTrigger> triggers)
    {
        var parentPath = ZkPath.Parent(c.Path);
        if (!_nodes.TryGetValue(parentPath, out var parent)) return new OpResult(ZkErrorCode.NoNode, c.Path);
        var acl = Intern(c.Acl);
        // One hash of the path for both the lookup and the insert.
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_nodes, c.Path, out var existed);
        DataNode node;
        if (existed)
        {
            // Re-applied: overwrite with the same absolute values.
            node = slot!;
            BeforeChange(c.Path, node);
            IndexRemove(c.Path, node.EphemeralOwner);
            ApproximateDataSize -= SizeOf(c.Path, node);
            node.Data = c.Data;
            node.Acl = acl;
        }
        else
        {
            slot = node = new DataNode(c.Data, acl) { SnapGen = _snapGen };
        }
        node.Czxid = node.Mzxid = node.Pzxid = txn.Zxid;
        node.Ctime = node.Mtime = txn.TimeMs;
        node.Version = node.Cversion = node.Aversion = 0;
        node.EphemeralOwner = c.EphemeralOwner;
        IndexAdd(c.Path, c.EphemeralOwner);
        ApproximateDataSize += SizeOf(c.Path, node);

        BeforeChange(parentPath, parent);
        parent.Cversion = c.ParentCversion;
        parent.Pzxid = txn.Zxid;
        parent.AddChild(c.Path);

        triggers.Add(new WatchTrigger(WatchEventType.NodeCreated, c.Path));
        triggers.Add(new WatchTrigger(WatchEventType.NodeChildrenChanged, parentPath));
        return new OpResult(ZkErrorCode.Ok, c.Path, node.ToStat());
    }

    private OpResult ApplyDelete(long zxid, string path, List<WatchTrigger> triggers)
    {
        var parentPath = ZkPath.Parent(path);
        if (!_nodes.TryGetValue(path, out var node)) return new OpResult(ZkErrorCode.NoNode, path);
        BeforeChange(path, node);
        _nodes.Remove(path);
        IndexRemove(path, node.EphemeralOwner);
        ApproximateDataSize -= SizeOf(path, node);
        if (_nodes.TryGetValue(parentPath, out var parent))
        {
            BeforeChange(parentPath, parent);
            parent.RemoveChild(path);
            parent.Pzxid = zxid;
        }
        triggers.Add(new WatchTrigger(WatchEventType.NodeDeleted, path));
        triggers.Add(new WatchTrigger(WatchEventType.NodeChildrenChanged, parentPath));
        return new OpResult(ZkErrorCode.Ok);
    }

    private OpResult ApplySetData(Txn txn, SetDataTxn s, List<WatchTrigger> triggers)
    {
        if (!_nodes.TryGetValue(s.Path, out var node)) return new OpResult(ZkErrorCode.NoNode, s.Path);
        BeforeChange(s.Path, node);
        ApproximateDataSize += (s.Data?.Length ?? 0) - (node.Data?.Length ?? 0);
        node.Data = s.Data;
        node.Version = s.Version;
        node.Mzxid = txn.Zxid;
        node.Mtime = txn.TimeMs;
        triggers.Add(new WatchTrigger(WatchEventType.NodeDataChanged, s.Path));
        return new OpResult(ZkErrorCode.Ok, null, node.ToStat());
    }

    private OpResult ApplySetAcl(SetAclTxn a)
    {
        if (!_nodes.TryGetValue(a.Path, out var node)) return new OpResult(ZkErrorCode.NoNode, a.Path);
        BeforeChange(a.Path, node);
        node.Acl = Intern(a.Acl);
        node.Aversion = a.Aversion;
        return new OpResult(ZkErrorCode.Ok, null, node.ToStat());
    }

    private OpResult ApplyCreateSession(CreateSessionTxn cs)
    {
        _sessions[cs.SessionId] = new SessionEntry(cs.SessionId, cs.TimeoutMs, cs.Password);
        return new OpResult(ZkErrorCode.Ok);
    }

    private OpResult ApplyCloseSession(long zxid, CloseSessionTxn cl, List<WatchTrigger> triggers)
    {
        foreach (var path in cl.PathsToDelete) ApplyDelete(zxid, path, triggers);
        _sessions.Remove(cl.SessionId);
        return new OpResult(ZkErrorCode.Ok);
    }
}
