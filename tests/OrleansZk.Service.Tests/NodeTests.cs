using OrleansZk.Core;

namespace OrleansZk.Service.Tests;

/// <summary>create, delete, exists, getData, setData, getChildren, getAllChildrenNumber, getEphemerals.</summary>
public sealed class NodeTests(ClusterFixture fixture) : ClusterTest(fixture)
{
    [Fact]
    public async Task A_persistent_node_is_created_with_its_stat_and_read_back()
    {
        var created = await Zk.CreateWithStatAsync(P("a"), Bytes("hello"));

        Assert.Equal(P("a"), created.Path);
        var stat = created.Stat;
        Assert.True(stat.Czxid > 0);
        Assert.Equal(stat.Czxid, stat.Mzxid);
        Assert.Equal(stat.Czxid, stat.Pzxid);
        Assert.Equal((0, 0, 0, 0L, 5, 0), (stat.Version, stat.Cversion, stat.Aversion, stat.EphemeralOwner, stat.DataLength, stat.NumChildren));
        Assert.True(stat.Ctime > 0 && stat.Ctime == stat.Mtime);
        Assert.True(Zk.LastZxid >= stat.Czxid);

        var read = await Zk.GetDataAsync(P("a"));
        Assert.Equal("hello", Text(read.Data));
        Assert.Equal(stat, read.Stat);
        Assert.Equal(stat, await Zk.ExistsAsync(P("a")));
    }

    [Fact]
    public async Task Create_returns_the_actual_path()
    {
        Assert.Equal(P("plain"), await Zk.CreateAsync(P("plain"), null));
        Assert.True((await Zk.GetDataAsync(P("plain"))).Data is null or { Length: 0 });
    }

    [Fact]
    public async Task An_ephemeral_node_is_owned_by_the_session()
    {
        var created = await Zk.CreateWithStatAsync(P("eph"), Bytes("x"), mode: CreateMode.Ephemeral);
        Assert.Equal(Zk.SessionId, created.Stat.EphemeralOwner);
        Assert.Equal(Zk.SessionId, (await Zk.ExistsAsync(P("eph")))!.Value.EphemeralOwner);
    }

    [Fact]
    public async Task Sequential_nodes_get_ten_digit_suffixes_from_the_parent_cversion()
    {
        await Zk.CreateAsync(P("q"), null);
        Assert.Equal(P("q/s-0000000000"), await Zk.CreateAsync(P("q/s-"), null, mode: CreateMode.PersistentSequential));
        await Zk.CreateAsync(P("q/other"), null); // bumps the parent's cversion too
        Assert.Equal(P("q/s-0000000002"), await Zk.CreateAsync(P("q/s-"), null, mode: CreateMode.EphemeralSequential));
        Assert.Equal(P("q/0000000003"), await Zk.CreateAsync(P("q/"), null, mode: CreateMode.PersistentSequential));

        var eph = await Zk.ExistsAsync(P("q/s-0000000002"));
        Assert.Equal(Zk.SessionId, eph!.Value.EphemeralOwner);
    }

    [Fact]
    public async Task A_container_is_deleted_by_the_service_once_its_last_child_goes()
    {
        var container = await Zk.CreateWithStatAsync(P("box"), null, mode: CreateMode.Container);
        Assert.Equal(0, container.Stat.EphemeralOwner); // clients see 0 for containers
        await Zk.CreateAsync(P("box/item"), null);
        await Zk.DeleteAsync(P("box/item"));

        await Eventually(async () => await Zk.ExistsAsync(P("box")) == null, TimeSpan.FromSeconds(10), "the empty container to be deleted");
    }

    [Fact]
    public async Task A_ttl_node_lives_until_its_ttl_passes_without_change()
    {
        var node = await Zk.CreateWithStatAsync(P("ttl"), Bytes("t"), mode: CreateMode.PersistentWithTtl, ttl: 300);
        Assert.Equal(0, node.Stat.EphemeralOwner);
        var seq = await Zk.CreateAsync(P("ttl-"), null, mode: CreateMode.PersistentSequentialWithTtl, ttl: 300);
        Assert.Matches(@"/ttl-\d{10}$", seq);

        await Eventually(async () => await Zk.ExistsAsync(P("ttl")) == null && await Zk.ExistsAsync(seq) == null,
            TimeSpan.FromSeconds(10), "the TTL nodes to expire");
    }

    [Fact]
    public async Task Delete_honours_the_version()
    {
        await Zk.CreateAsync(P("d"), null);
        await Zk.SetDataAsync(P("d"), Bytes("1"));

        var e = await Assert.ThrowsAsync<BadVersionException>(() => Zk.DeleteAsync(P("d"), 0));
        Assert.Equal(P("d"), e.Path);
        await Zk.DeleteAsync(P("d"), 1);
        Assert.Null(await Zk.ExistsAsync(P("d")));

        await Zk.CreateAsync(P("any"), null);
        await Zk.DeleteAsync(P("any"));
        Assert.Null(await Zk.ExistsAsync(P("any")));
    }

    [Fact]
    public async Task SetData_honours_the_version_and_moves_the_stat()
    {
        var created = (await Zk.CreateWithStatAsync(P("s"), Bytes("v0"))).Stat;

        var s1 = await Zk.SetDataAsync(P("s"), Bytes("v1"), 0);
        Assert.Equal(1, s1.Version);
        Assert.True(s1.Mzxid > created.Mzxid);
        Assert.Equal(created.Czxid, s1.Czxid);
        Assert.Equal(2, s1.DataLength);

        await Assert.ThrowsAsync<BadVersionException>(() => Zk.SetDataAsync(P("s"), Bytes("stale"), 0));
        var s2 = await Zk.SetDataAsync(P("s"), null);
        Assert.Equal(2, s2.Version);
        Assert.Equal(0, s2.DataLength);

        var read = await Zk.GetDataAsync(P("s"));
        Assert.Equal(s2, read.Stat);
        Assert.True(read.Data is null or { Length: 0 });
    }

    [Fact]
    public async Task GetChildren_lists_the_children_with_the_parent_stat()
    {
        await Zk.CreateAsync(P("c"), null);
        foreach (var name in new[] { "x", "y", "z" }) await Zk.CreateAsync(P("c/" + name), null);
        await Zk.DeleteAsync(P("c/y"));

        Assert.Equal(new[] { "x", "z" }, (await Zk.GetChildrenAsync(P("c"))).Order());
        var withStat = await Zk.GetChildrenWithStatAsync(P("c"));
        Assert.Equal(new[] { "x", "z" }, withStat.Children.Order());
        Assert.Equal(2, withStat.Stat.NumChildren);
        Assert.Equal(4, withStat.Stat.Cversion); // three creates and a delete
        Assert.Empty(await Zk.GetChildrenAsync(P("c/x")));
    }

    [Fact]
    public async Task GetAllChildrenNumber_counts_descendants_in_every_partition()
    {
        await Zk.CreateAsync(P("tree"), null);
        var writes = new List<Task>();
        for (var i = 0; i < 6; i++)
        {
            writes.Add(Zk.CreateAsync(P($"tree/{i}"), null));
            for (var j = 0; j < 4; j++) writes.Add(Zk.CreateAsync(P($"tree/{i}/{j}"), null));
        }
        await Task.WhenAll(writes);

        Assert.Equal(30, await Zk.GetAllChildrenNumberAsync(P("tree")));
        Assert.Equal(4, await Zk.GetAllChildrenNumberAsync(P("tree/3")));
        Assert.Equal(0, await Zk.GetAllChildrenNumberAsync(P("tree/3/0")));
        Assert.Equal(31, await Zk.GetAllChildrenNumberAsync(Root));
    }

    [Fact]
    public async Task GetEphemerals_lists_the_sessions_ephemerals_under_a_prefix_sorted()
    {
        await Zk.CreateAsync(P("a"), null);
        await Zk.CreateAsync(P("b"), null, mode: CreateMode.Ephemeral);
        await Zk.CreateAsync(P("a/2"), null, mode: CreateMode.Ephemeral);
        await Zk.CreateAsync(P("a/1"), null, mode: CreateMode.Ephemeral);
        await Zk.CreateAsync(P("a/persistent"), null);

        Assert.Equal(new[] { P("a/1"), P("a/2"), P("b") }, await Zk.GetEphemeralsAsync(Root));
        Assert.Equal(new[] { P("a/1"), P("a/2") }, await Zk.GetEphemeralsAsync(P("a")));
        Assert.Equal(new[] { P("a/1"), P("a/2"), P("b") }, await Zk.GetEphemeralsAsync());
    }

    [Fact]
    public async Task The_root_and_the_system_nodes_exist()
    {
        Assert.NotNull(await Zk.ExistsAsync("/"));
        Assert.NotNull(await Zk.ExistsAsync("/zookeeper"));
        Assert.Contains("zookeeper", await Zk.GetChildrenAsync("/"));
        Assert.Null(await Zk.ExistsAsync(P("absent")));
    }
}
