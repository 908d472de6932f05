using OrleansZk.Client;
using OrleansZk.Core;
using OrleansZk.Recipes.Caches;
using OrleansZk.Recipes.Nodes;
using OrleansZk.Recipes.Tests.Support;

namespace OrleansZk.Recipes.Tests;

/// <summary>Tree, children and node caches; the persistent node.</summary>
public sealed class CacheTests(RecipeCluster cluster) : RecipeTest(cluster)
{
    [Fact]
    public async Task A_tree_cache_follows_every_change_in_order_and_misses_none_across_a_reconnect()
    {
        var root = P("tree");
        await Zk.CreateAsync(root, Bytes("r"));
        await Zk.CreateAsync(root + "/a", Bytes("1"));
        var watcher = NewClient();
        var cache = Own(new ZkTreeCache(watcher, root));
        var changes = new EventLog<string>();
        cache.Changed += (_, c) => changes.Add($"{c.Type} {c.Node?.Path} {Text(c.Node?.Data)}");
        await cache.StartAsync().Within(Deadline, "the first load");
        Assert.Equal([root, root + "/a"], cache.Current.Keys);

        await Zk.CreateAsync(root + "/a/b", Bytes("2"));
        await Zk.SetDataAsync(root + "/a", Bytes("1b"));
        await changes.WaitUntilAsync(c => c.Contains($"NodeUpdated {root}/a 1b"), Deadline, () => string.Join(" | ", changes.Items));

        // Changes made while the cache's client is cut off are replayed when it reconnects.
        watcher.SimulateConnectionLoss("test: dropped");
        await Zk.DeleteAsync(root + "/a/b");
        await Zk.CreateAsync(root + "/c", Bytes("3"));
        await changes.WaitUntilAsync(c => c.Contains($"NodeAdded {root}/c 3"), Deadline, () => string.Join(" | ", changes.Items));
        Assert.Equal(
            [$"NodeAdded {root} r", $"NodeAdded {root}/a 1", "Initialized  ", $"NodeAdded {root}/a/b 2", $"NodeUpdated {root}/a 1b", $"NodeRemoved {root}/a/b 2", $"NodeAdded {root}/c 3"],
            changes.Items);
        Assert.Equal([root, root + "/a", root + "/c"], cache.Current.Keys);
    }

    [Fact]
    public async Task A_cache_on_a_renewing_source_reloads_after_its_session_expires_and_reports_the_difference()
    {
        var root = P("dir");
        await Zk.CreateAsync(root, null);
        await Zk.CreateAsync(root + "/x", Bytes("x"));
        var source = NewSource();
        var cache = Own(new ZkChildrenCache(source, root));
        var changes = new EventLog<CacheChange>();
        cache.Changed += (_, c) => changes.Add(c);
        await cache.StartAsync();
        Assert.Equal(["x"], cache.Current.Keys);

        var expired = source.Client;
        await EndSessionAsync(expired);
        await Waits.Until(() => source.Client != expired, Deadline, "a new session");
        await Zk.CreateAsync(root + "/y", Bytes("y"));
        await Zk.DeleteAsync(root + "/x");
        await changes.WaitUntilAsync(c => c.Any(e => e.Type == CacheChangeType.NodeRemoved), Deadline, () => string.Join(", ", changes.Items));
        await Waits.Until(() => cache.Current.Keys.SequenceEqual(["y"]), Deadline, "the cache to show only y");
    }

    [Fact]
    public async Task A_node_cache_sees_creation_change_and_deletion_and_snapshots_follow()
    {
        var path = P("node");
        var cache = Own(new ZkNodeCache(NewClient(), path));
        await cache.StartAsync();
        Assert.Null(cache.Current);
        var tree = Own(new ZkTreeCache(NewClient(), Root));
        await tree.StartAsync();
        using var stop = new CancellationTokenSource(Deadline);
        var seen = new List<int>();
        var snapshots = Task.Run(async () =>
        {
            await foreach (var s in tree.SnapshotsAsync(stop.Token))
            {
                seen.Add(s.Count);
                if (s.Count == 1 && seen.Contains(2)) return;
            }
        });

        await Zk.CreateAsync(path, Bytes("v1"));
        await Waits.Until(() => Text(cache.Current?.Data) == "v1", Deadline, "v1");
        await Zk.SetDataAsync(path, Bytes("v2"));
        await Waits.Until(() => Text(cache.Current?.Data) == "v2", Deadline, "v2");
        await Zk.DeleteAsync(path);
        await Waits.Until(() => cache.Current == null, Deadline, "the deletion");
        await snapshots.Within(Deadline, "snapshots with and then without the node");
    }

    [Fact]
    public async Task A_persistent_ephemeral_node_comes_back_when_deleted_and_after_its_session_expires()
    {
        var path = P("member");
        var source = NewSource();
        var node = Own(new ZkPersistentNode(source, path, Bytes("me")));
        node.Start();
        await node.WaitForInitialCreateAsync().Within(Deadline, "the first create");
        Assert.Equal(path, node.ActualPath);

        await Zk.DeleteAsync(path);
        await Waits.Until(async () => await Zk.ExistsAsync(path) != null, Deadline, "the node to come back");

        var expired = source.Client;
        await EndSessionAsync(expired);
        await Waits.Until(async () => await Zk.ExistsAsync(path) is { } s && s.EphemeralOwner != expired.SessionId && s.EphemeralOwner == source.Client.SessionId,
            Deadline, "the node on the new session");
        Assert.Equal("me", Text((await Zk.GetDataAsync(path)).Data));
        await node.DisposeAsync();
        Assert.Null(await Zk.ExistsAsync(path));
        Assert.Throws<BadArgumentsException>(() => new ZkPersistentNode(source, path, null, CreateMode.Container));
    }
}
