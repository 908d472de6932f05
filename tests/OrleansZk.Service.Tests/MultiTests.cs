using OrleansZk.Core;

namespace OrleansZk.Service.Tests;

/// <summary>multi and the fluent transaction: all or nothing, with per-op results.</summary>
public sealed class MultiTests(ClusterFixture fixture) : ClusterTest(fixture)
{
    [Fact]
    public async Task A_multi_applies_every_op_at_one_zxid()
    {
        await Zk.CreateAsync(P("old"), null);
        var results = await Zk.MultiAsync(
        [
            new CreateRequest(P("new"), Bytes("n"), AclList.OpenUnsafe, CreateMode.Persistent),
            new CreateRequest(P("seq-"), null, AclList.OpenUnsafe, CreateMode.PersistentSequential),
            new SetDataRequest(P("old"), Bytes("o"), 0),
            new CheckRequest(P("new"), 0),
            new DeleteRequest(P("old"), 1),
        ]);

        Assert.All(results, r => Assert.Equal(ZkErrorCode.Ok, r.Code));
        Assert.Equal(P("new"), results[0].Path);
        Assert.Equal(P("seq-0000000002"), results[1].Path);
        Assert.Equal(1, results[2].Stat!.Value.Version);
        var czxid = results[0].Stat!.Value.Czxid;
        Assert.Equal(czxid, results[2].Stat!.Value.Mzxid);
        Assert.Equal(czxid, (await Zk.ExistsAsync(P("seq-0000000002")))!.Value.Czxid);
        Assert.Null(await Zk.ExistsAsync(P("old")));
    }

    [Fact]
    public async Task A_failing_multi_changes_nothing_and_reports_every_op()
    {
        await Zk.CreateAsync(P("exists"), Bytes("v"));
        var e = await Assert.ThrowsAsync<BadVersionException>(() => Zk.MultiAsync(
        [
            new CreateRequest(P("a"), null, AclList.OpenUnsafe, CreateMode.Persistent),
            new SetDataRequest(P("exists"), Bytes("changed")),
            new CheckRequest(P("exists"), 7),
            new DeleteRequest(P("exists")),
        ]));

        Assert.Equal(P("exists"), e.Path);
        Assert.Equal(
            new[] { ZkErrorCode.Ok, ZkErrorCode.Ok, ZkErrorCode.BadVersion, ZkErrorCode.RuntimeInconsistency },
            e.Results!.Select(r => r.Code));
        Assert.Null(await Zk.ExistsAsync(P("a")));
        var data = await Zk.GetDataAsync(P("exists"));
        Assert.Equal("v", Text(data.Data));
        Assert.Equal(0, data.Stat.Version);
    }

    [Fact]
    public async Task The_fluent_transaction_commits_all_ops()
    {
        var results = await Zk.Transaction()
            .Create(P("t"), Bytes("1"))
            .Create(P("t/e"), null, mode: CreateMode.Ephemeral)
            .SetData(P("t"), Bytes("2"), 0)
            .Check(P("t"), 1)
            .CommitAsync();

        Assert.Equal(4, results.Count);
        Assert.Equal("2", Text((await Zk.GetDataAsync(P("t"))).Data));
        Assert.Equal(Zk.SessionId, (await Zk.ExistsAsync(P("t/e")))!.Value.EphemeralOwner);
    }

    [Fact]
    public async Task The_fluent_transaction_rolls_back_with_the_first_failing_ops_exception()
    {
        var e = await Assert.ThrowsAsync<NoNodeException>(() => Zk.Transaction()
            .Create(P("t"), null)
            .Delete(P("missing"))
            .Create(P("t2"), null)
            .CommitAsync());

        Assert.Equal(ZkErrorCode.NoNode, e.Code);
        Assert.Equal(P("missing"), e.Path);
        Assert.Equal(
            new[] { ZkErrorCode.Ok, ZkErrorCode.NoNode, ZkErrorCode.RuntimeInconsistency },
            e.Results!.Select(r => r.Code));
        Assert.Null(await Zk.ExistsAsync(P("t")));
        Assert.Null(await Zk.ExistsAsync(P("t2")));
    }

    [Fact]
    public async Task An_empty_multi_succeeds_without_taking_a_zxid()
    {
        await Zk.SyncAsync("/");
        var before = Zk.LastZxid;
        Assert.Empty(await Zk.MultiAsync([]));
        Assert.Empty(await Zk.Transaction().CommitAsync());
        // Sent, either would have come back with a zxid of its own.
        Assert.Equal(before, Zk.LastZxid);
    }

    [Fact]
    public async Task Ops_of_a_multi_are_validated_client_side()
    {
        var e = await Assert.ThrowsAsync<BadArgumentsException>(() => Zk.Transaction()
            .Create(P("fine"), null)
            .SetData("no-slash", null)
            .CommitAsync());
        Assert.Equal("Path must start with / character", e.Detail);
        Assert.Null(await Zk.ExistsAsync(P("fine")));
    }
}
