namespace OrleansZk.Core.Tests;

/// <summary><see cref="WatchTable.Reregister"/> and <see cref="TriggerHistory"/>: ZooKeeper's SetWatches rules, and the replay of persistent watches.</summary>
public sealed class ReregisterTests
{
    private const long S = 7;

    private static Stat StatOf(long czxid, long mzxid, long pzxid) => new() { Czxid = czxid, Mzxid = mzxid, Pzxid = pzxid };

    private static TxnEffects Txn(long zxid, params (string Path, WatchEventType Type)[] triggers) =>
        new(zxid, triggers.Select((t, i) => new NodeEffect(t.Path, true, false, default, false, null, null, null, [new EffectTrigger(t.Type, i)])).ToList());

    private static WatchSet Set(string[]? data = null, string[]? exist = null, string[]? child = null, string[]? persistent = null, string[]? recursive = null, long since = 0)
    {
        IReadOnlyList<WatchPath> Of(string[]? paths) => [.. (paths ?? []).Select(p => new WatchPath(p, since))];
        return new WatchSet(Of(data), Of(exist), Of(child), Of(persistent), Of(recursive));
    }

    /// <summary>Re-registers against a one-partition view of <paramref name="nodes"/> at zxid <paramref name="at"/>.</summary>
    private static (List<FiredWatch> Fired, WatchTable Table) Run(WatchSet set, long lastZxid, Dictionary<string, Stat> nodes, TriggerHistory history, long at = 100)
    {
        var view = new PartitionView();
        view.Load(nodes.Select(n => new NodeImage(n.Key, null, AclList.OpenUnsafe, n.Value, [])), at);
        var table = new WatchTable();
        var fired = new List<FiredWatch>();
        table.Reregister(S, lastZxid, set, view, _ => true, history, fired);
        return (fired, table);
    }

    [Fact]
    public void One_shot_watches_fire_at_once_when_their_node_changed_after_the_last_zxid_and_are_registered_otherwise()
    {
        var nodes = new Dictionary<string, Stat>
        {
            ["/changed"] = StatOf(1, 50, 1),
            ["/same"] = StatOf(1, 10, 1),
            ["/born"] = StatOf(60, 60, 60),
            ["/kids"] = StatOf(1, 1, 70),
            ["/quiet"] = StatOf(1, 1, 5),
        };
        var history = new TriggerHistory(16);
        history.Add(Txn(80, ("/gone", WatchEventType.NodeDeleted)));
        var (fired, table) = Run(Set(data: ["/changed", "/same", "/gone"], exist: ["/born", "/absent"], child: ["/kids", "/quiet"]), 20, nodes, history);

        Assert.Equal(
            [(WatchEventType.NodeDataChanged, "/changed", 50L), (WatchEventType.NodeCreated, "/born", 60L),
             (WatchEventType.NodeChildrenChanged, "/kids", 70L), (WatchEventType.NodeDeleted, "/gone", 80L)],
            fired.Select(f => (f.Type, f.Path, f.Zxid)));
        Assert.True(table.Has(S, "/same", WatcherType.Data));
        Assert.True(table.Has(S, "/absent", WatcherType.Data));
        Assert.True(table.Has(S, "/quiet", WatcherType.Children));
        Assert.False(table.Has(S, "/changed", WatcherType.Data));
        Assert.Equal(3, table.Count);
    }

    [Fact]
    public void A_watch_set_after_the_change_does_not_fire_for_it()
    {
        var nodes = new Dictionary<string, Stat> { ["/a"] = StatOf(1, 50, 1) };
        var (fired, table) = Run(Set(data: ["/a"], since: 55), 20, nodes, new TriggerHistory(4));
        Assert.Empty(fired);
        Assert.True(table.Has(S, "/a", WatcherType.Data));
    }

    [Fact]
    public void A_persistent_watch_replays_every_missed_change_in_order_and_a_recursive_one_its_subtree_without_child_events()
    {
        var history = new TriggerHistory(64);
        history.Add(Txn(10, ("/a", WatchEventType.NodeDataChanged)));
        history.Add(Txn(21, ("/a/b", WatchEventType.NodeCreated), ("/a", WatchEventType.NodeChildrenChanged)));
        history.Add(Txn(22, ("/a", WatchEventType.NodeDataChanged)));
        history.Add(Txn(23, ("/ab", WatchEventType.NodeCreated)));
        history.Add(Txn(24, ("/a/b", WatchEventType.NodeDataChanged)));
        var nodes = new Dictionary<string, Stat>();

        var (persistent, _) = Run(Set(persistent: ["/a"]), 20, nodes, history);
        Assert.Equal([(WatchEventType.NodeChildrenChanged, 21L), (WatchEventType.NodeDataChanged, 22L)], persistent.Select(f => (f.Type, f.Zxid)));

        var (recursive, table) = Run(Set(recursive: ["/a"]), 20, nodes, history);
        Assert.Equal(
            [(WatchEventType.NodeCreated, "/a/b"), (WatchEventType.NodeDataChanged, "/a"), (WatchEventType.NodeDataChanged, "/a/b")],
            recursive.Select(f => (f.Type, f.Path)));
        Assert.True(table.Has(S, "/a", WatcherType.PersistentRecursive));
    }

    [Fact]
    public void A_replay_from_before_what_the_history_holds_starts_with_HistoryTrimmed()
    {
        var history = new TriggerHistory(2);
        for (var z = 1; z <= 5; z++) history.Add(Txn(z, ("/a", WatchEventType.NodeDataChanged)));
        Assert.Equal(3, history.TrimmedThrough);
        var (fired, _) = Run(Set(persistent: ["/a"]), 1, [], history);
        Assert.Equal([(WatchEventType.HistoryTrimmed, 3L), (WatchEventType.NodeDataChanged, 4L), (WatchEventType.NodeDataChanged, 5L)], fired.Select(f => (f.Type, f.Zxid)));

        var (complete, _) = Run(Set(persistent: ["/a"]), 3, [], history);
        Assert.Equal([4L, 5L], complete.Select(f => f.Zxid));

        history.Reset(9);
        var (afterLoad, _) = Run(Set(persistent: ["/a"]), 5, [], history);
        Assert.Equal([WatchEventType.HistoryTrimmed], afterLoad.Select(f => f.Type));
    }

    [Fact]
    public void No_HistoryTrimmed_when_the_nodes_show_nothing_the_watch_covers_changed()
    {
        var history = new TriggerHistory(8);
        history.Reset(50); // e.g. a partition rebuilt after a restart
        var quiet = new Dictionary<string, Stat> { ["/a"] = StatOf(1, 2, 3), ["/a/b"] = StatOf(3, 3, 3), ["/other"] = StatOf(40, 40, 40) };
        Assert.Empty(Run(Set(persistent: ["/a"]), 10, quiet, history).Fired);
        Assert.Empty(Run(Set(recursive: ["/a"]), 10, quiet, history).Fired);

        var childChanged = new Dictionary<string, Stat>(quiet) { ["/a/b"] = StatOf(3, 20, 3) };
        Assert.Empty(Run(Set(persistent: ["/a"]), 10, childChanged, history).Fired); // not the persistent watch's business
        Assert.Equal([WatchEventType.HistoryTrimmed], Run(Set(recursive: ["/a"]), 10, childChanged, history).Fired.Select(f => f.Type));

        var gone = new Dictionary<string, Stat> { ["/other"] = StatOf(40, 40, 40) };
        Assert.Equal([WatchEventType.HistoryTrimmed], Run(Set(persistent: ["/a"]), 10, gone, history).Fired.Select(f => f.Type));
    }
}

/// <summary><see cref="RecentSet{T}"/>: the bounded memory behind replay de-duplication and ended sessions.</summary>
public sealed class RecentSetTests
{
    [Fact]
    public void It_remembers_the_most_recent_items_only()
    {
        var set = new RecentSet<int>(2);
        Assert.True(set.Add(1));
        Assert.False(set.Add(1));
        Assert.True(set.Add(2));
        Assert.True(set.Add(3)); // 1 is forgotten
        Assert.False(set.Contains(1));
        Assert.True(set.Contains(2) && set.Contains(3));
        Assert.True(set.Add(1));
    }
}
