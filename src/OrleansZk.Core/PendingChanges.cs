namespace OrleansZk.Core;

/// <summary>
/// A node as preparation sees it: the tree's state plus the changes prepared but not yet applied
/// (ZooKeeper's ChangeRecord). <see cref="Exists"/> false records a prepared deletion.
/// </summary>
internal sealed record ChangeRecord(
    long Zxid,
    string Path,
    bool Exists,
    int Version,
    int Cversion,
    int Aversion,
    long EphemeralOwner,
    int ChildCount,
    AclList Acl,
    long Mzxid,
    long Mtime)
{
    public static ChangeRecord FromNode(string path, DataNode n) => new(
        -1, path, true, n.Version, n.Cversion, n.Aversion, n.EphemeralOwner, n.NumChildren, n.Acl, n.Mzxid, n.Mtime);

    public static ChangeRecord Deleted(long zxid, string path) => new(zxid, path, false, 0, 0, 0, 0, 0, AclList.Empty, 0, 0);
}

/// <summary>
/// The changes prepared but not yet applied, in zxid order, with the newest record per path and
/// per session, and an undo log so a failed multi can take back what its earlier ops prepared.
/// </summary>
internal sealed class PendingChanges
{
    private readonly List<(long Zxid, string? Path, long Session)> _queue = [];
    private int _head;
    private readonly Dictionary<string, ChangeRecord> _byPath = new(StringComparer.Ordinal);
    private readonly Dictionary<long, (long Zxid, bool Open)> _sessions = new();
    private List<Action>? _undo;

    public IEnumerable<ChangeRecord> Records => _byPath.Values;

    public int Count => _queue.Count - _head;

    public bool TryGet(string path, out ChangeRecord record) => _byPath.TryGetValue(path, out record!);

    /// <summary>The prepared state of a session: null if nothing pending, else open (created) or closed (closing).</summary>
    public bool? SessionState(long sessionId) => _sessions.TryGetValue(sessionId, out var s) ? s.Open : null;

    public void Add(ChangeRecord record)
    {
        if (_undo != null) RememberPath(_undo, record.Path);
        _byPath[record.Path] = record;
        Enqueue(record.Zxid, record.Path, 0);
    }

    public void SetSession(long zxid, long sessionId, bool open)
    {
        if (_undo != null) RememberSession(_undo, sessionId);
        _sessions[sessionId] = (zxid, open);
        Enqueue(zxid, null, sessionId);
    }

    private void Enqueue(long zxid, string? path, long session)
    {
        if (_undo != null) RememberQueue(_undo, _queue.Count);
        _queue.Add((zxid, path, session));
    }

    // The undo closures live in methods of their own, so that outside a scope (every single
    // write) nothing is allocated for them.
    private void RememberPath(List<Action> undo, string path)
    {
        var had = _byPath.TryGetValue(path, out var previous);
        undo.Add(() =>
        {
            if (had) _byPath[path] = previous!;
            else _byPath.Remove(path);
        });
    }

    private void RememberSession(List<Action> undo, long sessionId)
    {
        var had = _sessions.TryGetValue(sessionId, out var previous);
        undo.Add(() =>
        {
            if (had) _sessions[sessionId] = previous;
            else _sessions.Remove(sessionId);
        });
    }

    private void RememberQueue(List<Action> undo, int count) =>
        undo.Add(() => _queue.RemoveRange(count, _queue.Count - count));

    /// <summary>Starts recording undo actions (one scope at a time).</summary>
    public void BeginScope() => _undo = [];

    /// <summary>Keeps what the scope prepared.</summary>
    public void Commit() => _undo = null;

    /// <summary>Takes back everything prepared since <see cref="BeginScope"/>.</summary>
    public void Rollback()
    {
        if (_undo == null) return;
        for (var i = _undo.Count - 1; i >= 0; i--) _undo[i]();
        _undo = null;
    }

    /// <summary>Forgets the records of transactions the tree has applied (zxid ≤ <paramref name="appliedZxid"/>).</summary>
    public void Purge(long appliedZxid)
    {
        while (_head < _queue.Count && _queue[_head].Zxid <= appliedZxid)
        {
            var (zxid, path, session) = _queue[_head++];
            if (path != null)
            {
                if (_byPath.TryGetValue(path, out var r) && r.Zxid == zxid) _byPath.Remove(path);
            }
            else if (_sessions.TryGetValue(session, out var s) && s.Zxid == zxid)
            {
                _sessions.Remove(session);
            }
        }
        if (_head > 1024 && _head * 2 > _queue.Count)
        {
            _queue.RemoveRange(0, _head);
            _head = 0;
        }
    }
}
