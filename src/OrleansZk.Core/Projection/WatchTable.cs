namespace OrleansZk.Core;

/// <summary>
/// The watch registrations of one partition and ZooKeeper's rules for firing them (its
/// <c>WatchManager</c> pair of 3.9: a data table and a child table, one event per session per
/// trigger). Pure and single-threaded: the partition grain owns one, registers watches when it
/// serves reads and addWatch, and matches every txn it applies against it.
/// <list type="bullet">
/// <item>NodeCreated, NodeDeleted, NodeDataChanged on P fire the one-shot data / exists watches on P
/// (removed), persistent watches on P, and recursive watches on P or any ancestor of P.</item>
/// <item>NodeDeleted on P also fires the one-shot child watches on P (removed); NodeChildrenChanged on
/// P fires the one-shot child watches (removed) and persistent watches on P; recursive watches never
/// see NodeChildrenChanged.</item>
/// <item>A session gets at most one event per trigger, however many of its watches match (a data and
/// a child watch on a deleted node: one NodeDeleted, both removed).</item>
/// </list>
/// Recursive watches are registered in every partition (each matches its own nodes); the other kinds
/// only in the partition of their path.
/// </summary>
public sealed class WatchTable
{
    [Flags]
    private enum Kinds : byte
    {
        None = 0,
        Data = 1,
        Child = 2,
        Persistent = 4,
        Recursive = 8,
    }

    private readonly Dictionary<string, Dictionary<long, Kinds>> _byPath = new(StringComparer.Ordinal);
    private readonly Dictionary<long, HashSet<string>> _bySession = [];
    private readonly List<long> _hit = [];
    private int _recursive;

    /// <summary>How many (path, session) pairs hold at least one watch.</summary>
    public int Count { get; private set; }

    /// <summary>The sessions holding watches here.</summary>
    public IReadOnlyCollection<long> Sessions => _bySession.Keys;

    /// <summary>A one-shot data watch (getData on an existing node, exists on any node).</summary>
    public void AddDataWatch(long session, string path) => Add(session, path, Kinds.Data);

    /// <summary>A one-shot child watch (getChildren on an existing node).</summary>
    public void AddChildWatch(long session, string path) => Add(session, path, Kinds.Child);

    /// <summary>addWatch: a persistent or persistent-recursive watch (kept until removed or the session ends).</summary>
    public void AddWatch(long session, string path, AddWatchMode mode) =>
        Add(session, path, mode == AddWatchMode.PersistentRecursive ? Kinds.Recursive : Kinds.Persistent);

    /// <summary>True when <paramref name="session"/> has a watch of <paramref name="type"/> on <paramref name="path"/>.</summary>
    public bool Has(long session, string path, WatcherType type) =>
        _byPath.TryGetValue(path, out var sessions) && sessions.TryGetValue(session, out var kinds) && (kinds & Mask(type)) != 0;

    /// <summary>
    /// removeWatches, by ZooKeeper's rules: Children removes one-shot child watches, Data one-shot data
    /// and exists watches, Persistent and PersistentRecursive their kind, Any all of them. False when
    /// nothing matched (the caller answers NoWatcher).
    /// </summary>
    public bool Remove(long session, string path, WatcherType type)
    {
        if (!_byPath.TryGetValue(path, out var sessions) || !sessions.TryGetValue(session, out var kinds)) return false;
        var removed = kinds & Mask(type);
        if (removed == Kinds.None) return false;
        Set(sessions, session, path, kinds & ~removed);
        return true;
    }

    /// <summary>Drops every watch of a session that ended (closed or expired).</summary>
    public void RemoveSession(long session)
    {
        if (!_bySession.Remove(session, out var paths)) return;
        foreach (var path in paths)
        {
            var sessions = _byPath[path];
            if (sessions.Remove(session, out var kinds))
            {
                Count--;
                if ((kinds & Kinds.Recursive) != 0) _recursive--;
            }
            if (sessions.Count == 0) _byPath.Remove(path);
        }
    }

    /// <summary>
    /// Fires the watches <paramref name="txn"/>'s triggers match, in trigger order, appending one
    /// <see cref="FiredWatch"/> per (trigger, session) to <paramref name="fired"/>, and removes the
    /// one-shot watches that fired. Call once per applied txn, in zxid order.
    /// </summary>
    public void Match(TxnEffects txn, List<FiredWatch> fired)
    {
        if (Count == 0) return;
        if (txn.Nodes.Count == 1)
        {
            // The common case: one node's triggers, already in order.
            var node = txn.Nodes[0];
            if (node.Triggers != null)
                foreach (var t in node.Triggers) Fire(node.Path, t, txn.Zxid, fired);
            return;
        }
        var triggers = new List<(string Path, EffectTrigger Trigger)>();
        foreach (var node in txn.Nodes)
            if (node.Triggers != null)
                foreach (var t in node.Triggers) triggers.Add((node.Path, t));
        triggers.Sort((a, b) => a.Trigger.Order.CompareTo(b.Trigger.Order));
        foreach (var (path, t) in triggers) Fire(path, t, txn.Zxid, fired);
    }

    /// <summary>
    /// Re-registers <paramref name="session"/>'s watches after a loss (ZooKeeper's SetWatches): a
    /// one-shot watch whose node changed after <paramref name="lastZxid"/> fires at once instead of
    /// being registered — a data watch NodeDataChanged (or NodeDeleted when the node is gone), an
    /// exists watch NodeCreated when the node now exists, a child watch NodeChildrenChanged (or
    /// NodeDeleted) — and the others are registered again. Beyond ZooKeeper, a persistent or
    /// recursive watch replays from <paramref name="history"/> every trigger after
    /// <paramref name="lastZxid"/> it would have fired on, in order, preceded by a HistoryTrimmed
    /// event when the history does not reach back that far. Appends the events to
    /// <paramref name="fired"/> in (zxid, order) order, one per (type, path, zxid).
    /// <paramref name="view"/> is this partition's state (its zxid stands for a deletion the history
    /// no longer remembers); <paramref name="holds"/> says whether a path is this partition's.
    /// HistoryTrimmed is not sent when the nodes show that nothing the watch covers changed.
    /// </summary>
    public void Reregister(long session, long lastZxid, WatchSet set, PartitionView view, Func<string, bool> holds, TriggerHistory history, List<FiredWatch> fired)
    {
        var atZxid = view.LastZxid;
        Stat? stat(string path) => view.Exists(path);

        // A history that does not reach back far enough loses nothing if the watched nodes show no
        // change since: the one watched (here) exists with every zxid at or before it, and for a
        // recursive watch so does every node below it here (a deleted node leaves its parent's pzxid
        // moved, in whichever partition the parent lives).
        bool Unchanged(string path, long from, bool recursive)
        {
            if (holds(path) && (stat(path) is not { } s || Math.Max(s.Czxid, Math.Max(s.Mzxid, s.Pzxid)) > from)) return false;
            return !recursive || view.StatsAtOrBelow(path).All(n => Math.Max(n.Czxid, Math.Max(n.Mzxid, n.Pzxid)) <= from);
        }

        const int StateOrder = int.MaxValue;
        var events = new List<FiredWatch>();
        void Fire(WatchEventType type, string path, long zxid, int order) => events.Add(new FiredWatch(session, type, path, zxid, order));
        long Gone(string path) => history.DeletedAt(path) ?? atZxid;

        foreach (var (path, since) in set.Data)
        {
            var s = stat(path);
            if (s == null) Fire(WatchEventType.NodeDeleted, path, Gone(path), StateOrder);
            else if (s.Value.Mzxid > Math.Max(lastZxid, since)) Fire(WatchEventType.NodeDataChanged, path, s.Value.Mzxid, StateOrder);
            else AddDataWatch(session, path);
        }
        foreach (var (path, _) in set.Exist)
        {
            if (stat(path) is { } s) Fire(WatchEventType.NodeCreated, path, s.Czxid, StateOrder);
            else AddDataWatch(session, path);
        }
        foreach (var (path, since) in set.Child)
        {
            var s = stat(path);
            if (s == null) Fire(WatchEventType.NodeDeleted, path, Gone(path), StateOrder);
            else if (s.Value.Pzxid > Math.Max(lastZxid, since)) Fire(WatchEventType.NodeChildrenChanged, path, s.Value.Pzxid, StateOrder);
            else AddChildWatch(session, path);
        }
        foreach (var (path, since) in set.Persistent)
        {
            AddWatch(session, path, AddWatchMode.Persistent);
            var from = Math.Max(lastZxid, since);
            if (from < history.TrimmedThrough && !Unchanged(path, from, recursive: false)) Fire(WatchEventType.HistoryTrimmed, path, history.TrimmedThrough, -1);
            foreach (var e in history.Since(from))
                if (e.Path == path) Fire(e.Type, e.Path, e.Zxid, e.Order);
        }
        foreach (var (path, since) in set.Recursive)
        {
            AddWatch(session, path, AddWatchMode.PersistentRecursive);
            var from = Math.Max(lastZxid, since);
            if (from < history.TrimmedThrough && !Unchanged(path, from, recursive: true)) Fire(WatchEventType.HistoryTrimmed, path, history.TrimmedThrough, -1);
            foreach (var e in history.Since(from))
                if (e.Type != WatchEventType.NodeChildrenChanged && ZkPath.IsAtOrBelow(e.Path, path)) Fire(e.Type, e.Path, e.Zxid, e.Order);
        }
        events.Sort(static (a, b) => a.Zxid != b.Zxid ? a.Zxid.CompareTo(b.Zxid) : a.Order.CompareTo(b.Order));
        var seen = new HashSet<(WatchEventType, string, long)>();
        foreach (var e in events)
            if (seen.Add((e.Type, e.Path, e.Zxid))) fired.Add(e);
    }

    private void Fire(string path, EffectTrigger trigger, long zxid, List<FiredWatch> fired)
    {
        _hit.Clear();
        if (_byPath.TryGetValue(path, out var sessions))
        {
            // What each kind answers to, on the node itself.
            var fires = trigger.Type switch
            {
                WatchEventType.NodeChildrenChanged => Kinds.Child | Kinds.Persistent,
                WatchEventType.NodeDeleted => Kinds.Data | Kinds.Child | Kinds.Persistent | Kinds.Recursive,
                _ => Kinds.Data | Kinds.Persistent | Kinds.Recursive,
            };
            List<(long Session, Kinds Left)>? spent = null;
            foreach (var (session, kinds) in sessions)
            {
                if ((kinds & fires) == Kinds.None) continue;
                _hit.Add(session);
                var left = kinds & ~(fires & (Kinds.Data | Kinds.Child));
                if (left != kinds) (spent ??= []).Add((session, left));
            }
            if (spent != null)
                foreach (var (session, left) in spent) Set(sessions, session, path, left);
        }
        if (_recursive > 0 && trigger.Type != WatchEventType.NodeChildrenChanged) HitRecursiveAncestors(path);
        foreach (var session in _hit) fired.Add(new FiredWatch(session, trigger.Type, path, zxid, trigger.Order));
    }

    /// <summary>Adds the sessions with a recursive watch on a proper ancestor of <paramref name="path"/> (once each).</summary>
    private void HitRecursiveAncestors(string path)
    {
        var lookup = _byPath.GetAlternateLookup<ReadOnlySpan<char>>();
        var span = path.AsSpan();
        while (span.Length > 1)
        {
            var slash = span.LastIndexOf('/');
            span = slash == 0 ? "/" : span[..slash];
            if (!lookup.TryGetValue(span, out var sessions)) continue;
            foreach (var (session, kinds) in sessions)
                if ((kinds & Kinds.Recursive) != 0 && !_hit.Contains(session)) _hit.Add(session);
        }
    }

    private void Add(long session, string path, Kinds kind)
    {
        if (!_byPath.TryGetValue(path, out var sessions)) _byPath[path] = sessions = [];
        sessions.TryGetValue(session, out var kinds);
        Set(sessions, session, path, kinds | kind);
    }

    /// <summary>Sets a (path, session)'s kinds, keeping the counts and the session index in step.</summary>
    private void Set(Dictionary<long, Kinds> sessions, long session, string path, Kinds kinds)
    {
        var had = sessions.TryGetValue(session, out var old);
        if ((old & Kinds.Recursive) != 0) _recursive--;
        if ((kinds & Kinds.Recursive) != 0) _recursive++;
        if (kinds == Kinds.None)
        {
            if (!had) return;
            sessions.Remove(session);
            Count--;
            if (sessions.Count == 0) _byPath.Remove(path);
            if (_bySession.TryGetValue(session, out var paths) && paths.Remove(path) && paths.Count == 0) _bySession.Remove(session);
            return;
        }
        sessions[session] = kinds;
        if (had) return;
        Count++;
        if (!_bySession.TryGetValue(session, out var mine)) _bySession[session] = mine = new HashSet<string>(StringComparer.Ordinal);
        mine.Add(path);
    }

    private static Kinds Mask(WatcherType type) => type switch
    {
        WatcherType.Children => Kinds.Child,
        WatcherType.Data => Kinds.Data,
        WatcherType.Persistent => Kinds.Persistent,
        WatcherType.PersistentRecursive => Kinds.Recursive,
        WatcherType.Any => Kinds.Data | Kinds.Child | Kinds.Persistent | Kinds.Recursive,
        _ => Kinds.None,
    };
}
