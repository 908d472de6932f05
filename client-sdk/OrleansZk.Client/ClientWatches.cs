using OrleansZk.Core;

namespace OrleansZk.Client;

/// <summary>What a client-side watcher was registered as.</summary>
internal enum WatchKind
{
    /// <summary>getData (one-shot).</summary>
    Data,

    /// <summary>exists on a node that did not exist (one-shot; fires NodeCreated).</summary>
    Exist,

    /// <summary>getChildren (one-shot).</summary>
    Child,

    /// <summary>addWatch, Persistent.</summary>
    Persistent,

    /// <summary>addWatch, PersistentRecursive.</summary>
    Recursive,
}

/// <summary>
/// A client's watchers by kind and path (ZooKeeper's <c>ZKWatchManager</c>): which watchers an event
/// goes to, by ZooKeeper's client rules, and what to re-register after a loss. Each registration
/// remembers the zxid of the state it was set at (<c>Since</c>): an event caused at or before it belongs
/// to an earlier registration of the same path and does not fire it. Not thread-safe: the client
/// guards it with its watch lock.
/// </summary>
internal sealed class ClientWatches
{
    private readonly Dictionary<string, Dictionary<Action<WatchedEvent>, long>>[] _byKind =
        [.. Enumerable.Range(0, 5).Select(_ => new Dictionary<string, Dictionary<Action<WatchedEvent>, long>>(StringComparer.Ordinal))];

    private Dictionary<string, Dictionary<Action<WatchedEvent>, long>> Of(WatchKind kind) => _byKind[(int)kind];

    public bool IsEmpty => _byKind.All(k => k.Count == 0);

    /// <summary>Registers <paramref name="watcher"/> (once per kind and path: a second registration only moves its <c>Since</c>).</summary>
    public void Add(WatchKind kind, string path, Action<WatchedEvent> watcher, long since)
    {
        var table = Of(kind);
        if (!table.TryGetValue(path, out var watchers)) table[path] = watchers = [];
        watchers[watcher] = since;
    }

    public bool Has(WatchKind kind, string path) => Of(kind).ContainsKey(path);

    /// <summary>How many watchers of <paramref name="kind"/> on <paramref name="path"/> there are besides <paramref name="except"/>.</summary>
    public int Count(WatchKind kind, string path, Action<WatchedEvent> except) =>
        Of(kind).TryGetValue(path, out var watchers) ? watchers.Count - (watchers.ContainsKey(except) ? 1 : 0) : 0;

    /// <summary>
    /// The watchers <paramref name="e"/> goes to — each once — removing the one-shot ones it fires:
    /// NodeCreated and NodeDataChanged go to data and exists watchers; NodeDeleted to data, exists and
    /// child watchers; NodeChildrenChanged to child watchers; all of them to persistent watchers of the
    /// path, and all but NodeChildrenChanged to recursive watchers of the path or an ancestor;
    /// HistoryTrimmed to the persistent and recursive watchers of its path.
    /// </summary>
    public List<Action<WatchedEvent>> Materialize(WatchedEvent e)
    {
        var result = new List<Action<WatchedEvent>>();
        void Take(WatchKind kind, string path, bool oneShot)
        {
            var table = Of(kind);
            if (!table.TryGetValue(path, out var watchers)) return;
            List<Action<WatchedEvent>>? fired = null;
            foreach (var (watcher, since) in watchers)
            {
                if (e.Zxid >= 0 && e.Zxid <= since) continue; // an earlier registration's event
                if (!result.Contains(watcher)) result.Add(watcher);
                if (oneShot) (fired ??= []).Add(watcher);
            }
            if (fired == null) return;
            foreach (var w in fired) watchers.Remove(w);
            if (watchers.Count == 0) table.Remove(path);
        }

        switch (e.Type)
        {
            case WatchEventType.NodeCreated or WatchEventType.NodeDataChanged:
                Take(WatchKind.Data, e.Path, true);
                Take(WatchKind.Exist, e.Path, true);
                break;
            case WatchEventType.NodeDeleted:
                Take(WatchKind.Data, e.Path, true);
                Take(WatchKind.Exist, e.Path, true);
                Take(WatchKind.Child, e.Path, true);
                break;
            case WatchEventType.NodeChildrenChanged:
                Take(WatchKind.Child, e.Path, true);
                break;
            case WatchEventType.HistoryTrimmed:
                Take(WatchKind.Persistent, e.Path, false);
                Take(WatchKind.Recursive, e.Path, false);
                return result;
            default:
                return result;
        }
        Take(WatchKind.Persistent, e.Path, false);
        if (e.Type == WatchEventType.NodeChildrenChanged || Of(WatchKind.Recursive).Count == 0) return result;
        for (var path = e.Path; ; path = ZkPath.Parent(path))
        {
            Take(WatchKind.Recursive, path, false);
            if (path == ZkPath.Root) break;
        }
        return result;
    }

    /// <summary>The kinds removeWatches of <paramref name="type"/> removes (ZooKeeper's rules).</summary>
    public static WatchKind[] KindsOf(WatcherType type) => type switch
    {
        WatcherType.Children => [WatchKind.Child],
        WatcherType.Data => [WatchKind.Data, WatchKind.Exist],
        WatcherType.Persistent => [WatchKind.Persistent],
        WatcherType.PersistentRecursive => [WatchKind.Recursive],
        WatcherType.Any => [WatchKind.Data, WatchKind.Exist, WatchKind.Child, WatchKind.Persistent, WatchKind.Recursive],
        _ => throw new BadArgumentsException(null, $"unknown watcher type {(int)type}"),
    };

    /// <summary>
    /// Removes <paramref name="watcher"/> (null: every watcher) of the kinds of <paramref name="type"/>
    /// on <paramref name="path"/>; returns what was removed, each with the event that tells it
    /// (DataWatchRemoved, ChildWatchRemoved, PersistentWatchRemoved); empty when nothing matched.
    /// </summary>
    public List<(Action<WatchedEvent> Watcher, WatchEventType Told)> Remove(string path, Action<WatchedEvent>? watcher, WatcherType type)
    {
        var removed = new List<(Action<WatchedEvent>, WatchEventType)>();
        foreach (var kind in KindsOf(type))
        {
            var table = Of(kind);
            if (!table.TryGetValue(path, out var watchers)) continue;
            var told = kind switch
            {
                WatchKind.Child => WatchEventType.ChildWatchRemoved,
                WatchKind.Data or WatchKind.Exist => WatchEventType.DataWatchRemoved,
                _ => WatchEventType.PersistentWatchRemoved,
            };
            if (watcher == null)
            {
                foreach (var w in watchers.Keys) removed.Add((w, told));
                table.Remove(path);
            }
            else if (watchers.Remove(watcher))
            {
                removed.Add((watcher, told));
                if (watchers.Count == 0) table.Remove(path);
            }
        }
        return removed;
    }

    /// <summary>The registrations to re-register, each path with the oldest state one of its watchers was set at.</summary>
    public WatchSet Snapshot()
    {
        IReadOnlyList<WatchPath> Paths(WatchKind kind) => [.. Of(kind).Select(p => new WatchPath(p.Key, p.Value.Values.Min()))];
        return new WatchSet(Paths(WatchKind.Data), Paths(WatchKind.Exist), Paths(WatchKind.Child), Paths(WatchKind.Persistent), Paths(WatchKind.Recursive));
    }

    /// <summary>Forgets every registration (the session ended).</summary>
    public void Clear()
    {
        foreach (var table in _byKind) table.Clear();
    }
}
