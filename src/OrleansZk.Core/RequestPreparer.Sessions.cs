namespace OrleansZk.Core;

public sealed partial class RequestPreparer
{
    /// <summary>A new session's id is the zxid of its createSession: unique for ever, and never a special owner value.</summary>
    private TxnBody PrepareCreateSession(CreateSessionRequest r, Step step)
    {
        if (r.TimeoutMs <= 0) throw new ZkException(ZkErrorCode.BadArguments, null, "session timeout must be positive");
        if (r.Password == null || r.Password.Length == 0) throw new ZkException(ZkErrorCode.BadArguments, null, "a session needs a password");
        _pending.SetSession(step.Zxid, step.Zxid, open: true);
        return new CreateSessionTxn(step.Zxid, r.TimeoutMs, r.Password);
    }

    /// <summary>
    /// Closes the calling session: its ephemerals — those in the tree and those prepared, less
    /// those whose deletion is prepared — are fixed in the txn, and from now on the session is
    /// closing, so no ephemeral create of it can be prepared after this (it cannot outlive it).
    /// </summary>
    private TxnBody PrepareCloseSession(Step step)
    {
        var session = step.SessionId;
        var open = _pending.SessionState(session) ?? _tree.Sessions.ContainsKey(session);
        if (session == 0 || !open) throw new ZkException(ZkErrorCode.SessionExpired);

        var paths = new SortedSet<string>(_tree.EphemeralsOf(session), StringComparer.Ordinal);
        foreach (var record in _pending.Records)
        {
            if (!record.Exists) paths.Remove(record.Path);
            else if (record.EphemeralOwner == session) paths.Add(record.Path);
        }
        // Children sort after their parents; ephemerals have no children, so order is free.
        foreach (var path in paths) AddDeletion(step.Zxid, path, Record(ZkPath.Parent(path)));
        _pending.SetSession(step.Zxid, session, open: false);
        return new CloseSessionTxn(session, paths.ToArray());
    }
}
