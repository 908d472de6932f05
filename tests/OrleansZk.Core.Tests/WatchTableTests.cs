namespace OrleansZk.Core.Tests;

/// <summary><see cref="WatchTable"/>: ZooKeeper's firing and removal rules, one partition's worth.</summary>
public sealed class WatchTableTests
{
    private const long S1 = 1, S2 = 2;

    private static TxnEffects Txn(long zxid, params (string Path, WatchEventType Type, int Order)[] triggers) =>
        new(zxid, triggers.GroupBy(t => t.Path).Select(g => new NodeEffect(g.Key, true, false, default, false, null, null, null,
            g.Select(t => new EffectTrigger(t.Type, t.Order)).ToArray())).ToList());

    private static List<FiredWatch> Match(WatchTable table, TxnEffects txn)
    {
        var fired = new List<FiredWatch>();
        table.Match(txn, fired);
        return fired;
    }

    [Fact]
    public void A_one_shot_data_watch_fires_once_and_is_gone()
    {
        var table = new WatchTable();
        table.AddDataWatch(S1, "/a");
        Assert.Equal([new FiredWatch(S1, WatchEventType.NodeDataChanged, "/a", 5, 0)], Match(table, Txn(5, ("/a", WatchEventType.NodeDataChanged, 0))));
        Assert.Empty(Match(table, Txn(6, ("/a", WatchEventType.NodeDataChanged, 0))));
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void One_event_per_session_per_trigger_and_every_matching_one_shot_watch_goes()
    {
        var table = new WatchTable();
        table.AddDataWatch(S1, "/a");
        table.AddChildWatch(S1, "/a");
        table.AddWatch(S1, "/a", AddWatchMode.Persistent);
        table.AddWatch(S1, "/", AddWatchMode.PersistentRecursive);
        table.AddDataWatch(S2, "/a");
        var fired = Match(table, Txn(7, ("/a", WatchEventType.NodeDeleted, 0)));
        Assert.Equal([S1, S2], fired.Select(f => f.SessionId).Order());
        Assert.False(table.Has(S1, "/a", WatcherType.Data));
        Assert.False(table.Has(S1, "/a", WatcherType.Children));
        Assert.True(table.Has(S1, "/a", WatcherType.Persistent));
    }

    [Fact]
    public void Recursive_watches_see_the_subtree_but_never_children_changed()
    {
        var table = new WatchTable();
        table.AddWatch(S1, "/r", AddWatchMode.PersistentRecursive);
        var fired = Match(table, Txn(9,
            ("/r/x/y", WatchEventType.NodeCreated, 0), ("/r/x", WatchEventType.NodeChildrenChanged, 1),
            ("/r", WatchEventType.NodeDataChanged, 2), ("/rr", WatchEventType.NodeDataChanged, 3)));
        Assert.Equal(["/r/x/y", "/r"], fired.Select(f => f.Path));
        Assert.Equal([0, 2], fired.Select(f => f.Order));
    }

    [Fact]
    public void RemoveWatches_follows_the_watcher_types()
    {
        var table = new WatchTable();
        table.AddDataWatch(S1, "/a");
        table.AddChildWatch(S1, "/a");
        Assert.False(table.Remove(S1, "/a", WatcherType.Persistent));
        Assert.False(table.Remove(S2, "/a", WatcherType.Any));
        Assert.True(table.Remove(S1, "/a", WatcherType.Children));
        Assert.False(table.Remove(S1, "/a", WatcherType.Children));
        Assert.True(table.Remove(S1, "/a", WatcherType.Any));
        Assert.Equal(0, table.Count);
        table.AddWatch(S1, "/p", AddWatchMode.Persistent);
        table.AddWatch(S1, "/p", AddWatchMode.PersistentRecursive);
        Assert.True(table.Remove(S1, "/p", WatcherType.PersistentRecursive));
        Assert.True(table.Has(S1, "/p", WatcherType.Persistent));
        table.RemoveSession(S1);
        Assert.Equal(0, table.Count);
        Assert.Empty(table.Sessions);
    }
}
