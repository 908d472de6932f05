using OrleansZk.Core;

namespace OrleansZk.Service.Tests;

/// <summary>Bad input of every kind: the exact typed exception, code and (for paths) ZooKeeper's message.</summary>
public sealed class ErrorTests(ClusterFixture fixture) : ClusterTest(fixture)
{
    public static TheoryData<string?, string> InvalidPaths => new()
    {
        { null, "Path cannot be null" },
        { "", "Path length must be > 0" },
        { "a/b", "Path must start with / character" },
        { "/a/", "Path must not end with / character" },
        { "/a//b", "Invalid path string \"/a//b\" caused by empty node name specified @3" },
        { "/a/./b", "Invalid path string \"/a/./b\" caused by relative paths not allowed @3" },
        { "/a/../b", "Invalid path string \"/a/../b\" caused by relative paths not allowed @4" },
        { "/a/.", "Invalid path string \"/a/.\" caused by relative paths not allowed @3" },
        { "/a\u0000b", "Invalid path string \"/a\u0000b\" caused by null character not allowed @2" },
        { "/a\u0001b", "Invalid path string \"/a\u0001b\" caused by invalid character @2" },
        { "/a\ud800b", "Invalid path string \"/a\ud800b\" caused by invalid character @2" },
    };

    [Theory]
    [MemberData(nameof(InvalidPaths))]
    public async Task Every_call_refuses_an_invalid_path_with_ZooKeepers_message(string? path, string message)
    {
        var calls = new Func<Task>[]
        {
            () => Zk.CreateAsync(path!, null),
            () => Zk.DeleteAsync(path!),
            () => Zk.ExistsAsync(path!),
            () => Zk.GetDataAsync(path!),
            () => Zk.SetDataAsync(path!, null),
            () => Zk.GetChildrenAsync(path!),
            () => Zk.GetChildrenWithStatAsync(path!),
            () => Zk.GetAllChildrenNumberAsync(path!),
            () => Zk.GetAclAsync(path!),
            () => Zk.SetAclAsync(path!, [Acl.OpenUnsafe]),
            () => Zk.SyncAsync(path!),
            () => Zk.Transaction().Check(path!, -1).CommitAsync(),
        };
        var zxid = Zk.LastZxid;
        foreach (var call in calls)
        {
            var e = await Assert.ThrowsAsync<BadArgumentsException>(call);
            Assert.Equal(ZkErrorCode.BadArguments, e.Code);
            Assert.Equal(message, e.Detail);
        }
        Assert.Equal(zxid, Zk.LastZxid); // refused before anything was sent
    }

    [Fact]
    public async Task A_sequential_path_is_checked_with_its_suffix()
    {
        // "/x/" is invalid, but "/x/" + a sequence number is not.
        Assert.Equal(P("0000000000"), await Zk.CreateAsync(P(""), null, mode: CreateMode.PersistentSequential));
        var e = await Assert.ThrowsAsync<BadArgumentsException>(() => Zk.CreateAsync(P(""), null));
        Assert.Equal($"Path must not end with / character", e.Detail);
    }

    [Fact]
    public async Task Create_under_a_missing_parent_is_NoNode()
    {
        var e = await Assert.ThrowsAsync<NoNodeException>(() => Zk.CreateAsync(P("missing/child"), null));
        Assert.Equal(P("missing/child"), e.Path);
    }

    [Fact]
    public async Task Creating_an_existing_node_is_NodeExists()
    {
        await Zk.CreateAsync(P("x"), Bytes("first"));
        var e = await Assert.ThrowsAsync<NodeExistsException>(() => Zk.CreateAsync(P("x"), Bytes("second")));
        Assert.Equal(P("x"), e.Path);
        Assert.Equal("first", Text((await Zk.GetDataAsync(P("x"))).Data));
    }

    [Fact]
    public async Task Reading_or_changing_a_missing_node_is_NoNode()
    {
        var path = P("absent");
        foreach (var call in new Func<Task>[]
        {
            () => Zk.GetDataAsync(path), () => Zk.GetChildrenAsync(path), () => Zk.GetAclAsync(path),
            () => Zk.GetAllChildrenNumberAsync(path), () => Zk.SetDataAsync(path, null), () => Zk.DeleteAsync(path),
            () => Zk.SetAclAsync(path, [Acl.OpenUnsafe]),
        })
        {
            var e = await Assert.ThrowsAsync<NoNodeException>(call);
            Assert.Equal(path, e.Path);
        }
    }

    [Fact]
    public async Task A_stale_version_is_BadVersion()
    {
        await Zk.CreateAsync(P("v"), null);
        await Assert.ThrowsAsync<BadVersionException>(() => Zk.SetDataAsync(P("v"), null, 3));
        await Assert.ThrowsAsync<BadVersionException>(() => Zk.DeleteAsync(P("v"), 3));
        await Assert.ThrowsAsync<BadVersionException>(() => Zk.SetAclAsync(P("v"), [Acl.OpenUnsafe], 3));
        Assert.Equal(0, (await Zk.ExistsAsync(P("v")))!.Value.Version);
    }

    [Fact]
    public async Task Deleting_a_node_with_children_is_NotEmpty()
    {
        await Zk.CreateAsync(P("p"), null);
        await Zk.CreateAsync(P("p/c"), null);
        var e = await Assert.ThrowsAsync<NotEmptyException>(() => Zk.DeleteAsync(P("p")));
        Assert.Equal(P("p"), e.Path);
        Assert.NotNull(await Zk.ExistsAsync(P("p")));
    }

    [Fact]
    public async Task An_ephemeral_node_cannot_have_children()
    {
        await Zk.CreateAsync(P("e"), null, mode: CreateMode.Ephemeral);
        await Assert.ThrowsAsync<NoChildrenForEphemeralsException>(() => Zk.CreateAsync(P("e/c"), null));
        await Assert.ThrowsAsync<NoChildrenForEphemeralsException>(() => Zk.CreateAsync(P("e/s-"), null, mode: CreateMode.PersistentSequential));
    }

    [Theory]
    [InlineData(CreateMode.PersistentWithTtl, 0L, "ttl must be positive and cannot be larger than: 1099511627775")]
    [InlineData(CreateMode.PersistentSequentialWithTtl, -1L, "ttl must be positive and cannot be larger than: 1099511627775")]
    [InlineData(CreateMode.PersistentWithTtl, 1099511627776L, "ttl must be positive and cannot be larger than: 1099511627775")]
    [InlineData(CreateMode.Persistent, 1000L, "ttl not valid for mode: Persistent")]
    [InlineData(CreateMode.Ephemeral, 0L, "ttl not valid for mode: Ephemeral")]
    public async Task A_bad_ttl_is_BadArguments(CreateMode mode, long ttl, string message)
    {
        var e = await Assert.ThrowsAsync<BadArgumentsException>(() => Zk.CreateAsync(P("ttl"), null, mode: mode, ttl: ttl));
        Assert.Equal(message, e.Detail);
        Assert.Null(await Zk.ExistsAsync(P("ttl")));
    }

    [Fact]
    public async Task An_empty_acl_is_InvalidAcl()
    {
        var e = await Assert.ThrowsAsync<InvalidAclException>(() => Zk.CreateAsync(P("a"), null, []));
        Assert.Equal(P("a"), e.Path);
        await Zk.CreateAsync(P("b"), null);
        await Assert.ThrowsAsync<InvalidAclException>(() => Zk.SetAclAsync(P("b"), []));
        Assert.Null(await Zk.ExistsAsync(P("a")));
    }

    [Theory]
    [InlineData("bogus", "x")]
    [InlineData("digest", "no-colon")]
    [InlineData("ip", "300.1.1.1")]
    public async Task An_acl_with_an_unknown_scheme_or_malformed_id_is_InvalidAcl(string scheme, string id)
    {
        var acl = new[] { new Acl(Perms.All, new ZkId(scheme, id)) };
        await Assert.ThrowsAsync<InvalidAclException>(() => Zk.CreateAsync(P("a"), null, acl));
        Assert.Null(await Zk.ExistsAsync(P("a")));
        await Zk.CreateAsync(P("b"), null);
        await Assert.ThrowsAsync<InvalidAclException>(() => Zk.SetAclAsync(P("b"), acl));
        Assert.Equal(new[] { Acl.OpenUnsafe }, (await Zk.GetAclAsync(P("b"))).Acl);
    }

    [Fact]
    public async Task Data_over_the_service_limit_is_refused_and_nothing_changes()
    {
        var tooBig = new byte[ClusterFixture.MaxDataBytes + 1];
        var e = await Assert.ThrowsAsync<BadArgumentsException>(() => Zk.CreateAsync(P("big"), tooBig));
        Assert.Contains("exceeds", e.Detail);
        Assert.Null(await Zk.ExistsAsync(P("big")));

        await Zk.CreateAsync(P("small"), Bytes("s"));
        await Assert.ThrowsAsync<BadArgumentsException>(() => Zk.SetDataAsync(P("small"), tooBig));
        var after = await Zk.GetDataAsync(P("small"));
        Assert.Equal("s", Text(after.Data));
        Assert.Equal(0, after.Stat.Version);

        // Just under the limit (the request also counts the path and the header) is fine.
        var fits = new byte[ClusterFixture.MaxDataBytes - 1024];
        Assert.Equal(fits.Length, (await Zk.SetDataAsync(P("small"), fits)).DataLength);
    }

    [Fact]
    public async Task A_refused_write_does_not_stall_the_sessions_later_writes()
    {
        // A too-large write still takes its xid; the ones after it must go through promptly.
        var refused = Zk.CreateAsync(P("big"), new byte[ClusterFixture.MaxDataBytes + 1]);
        var next = Zk.CreateAsync(P("next"), null);
        await Assert.ThrowsAsync<BadArgumentsException>(() => refused);
        Assert.Equal(P("next"), await next.WaitAsync(TimeSpan.FromSeconds(1)));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/zookeeper")]
    [InlineData("/zookeeper/quota")]
    public async Task The_root_and_system_nodes_cannot_be_deleted(string path)
    {
        await Assert.ThrowsAsync<BadArgumentsException>(() => Zk.DeleteAsync(path));
        Assert.NotNull(await Zk.ExistsAsync(path));
    }

    [Fact]
    public async Task A_null_path_or_scheme_is_BadArguments()
    {
        var e = await Assert.ThrowsAsync<BadArgumentsException>(() => Zk.GetDataAsync(null!));
        Assert.Equal("Path cannot be null", e.Detail);
        await Assert.ThrowsAsync<BadArgumentsException>(() => Zk.AddAuthAsync(null!, Bytes("a:b")));
    }
}
