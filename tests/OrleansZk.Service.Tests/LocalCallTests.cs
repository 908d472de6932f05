using Microsoft.Extensions.DependencyInjection;
using OrleansZk.Client;
using OrleansZk.Core;
using OrleansZk.Grains;

namespace OrleansZk.Service.Tests;

/// <summary>
/// Calls inside a silo (docs/service.md): a ZkClient running inside the silo reads the partitions
/// activated there without a grain call whenever they can answer at once, and submits its writes as
/// turns of the replica's activation — and must get exactly what the grain calls would give.
/// <see cref="LocalGrains.Served"/> and <see cref="LocalGrains.Submitted"/> tell which way a call went.
/// </summary>
public sealed class LocalCallTests(ClusterFixture fixture) : ClusterTest(fixture)
{
    private static readonly ZkId Alice = new("digest", AclRules.GenerateDigest("alice:secret"));

    private LocalGrains Local => Fixture.SiloServices.GetRequiredService<LocalGrains>();

    /// <summary>A client inside the silo, closed when the test ends.</summary>
    private async Task<ZkClient> InSiloAsync()
    {
        var client = Fixture.NewInSiloClient();
        Track(client);
        await client.ConnectAsync();
        return client;
    }

    [Fact]
    public async Task Reads_inside_the_silo_are_answered_without_a_grain_call_and_as_the_grain_answers_them()
    {
        var local = await InSiloAsync();
        await Zk.CreateAsync(P("a"), Bytes("one"));
        await Zk.CreateAsync(P("a/child"), null);
        await Zk.CreateAsync(P("secret"), Bytes("s"), [new Acl(Perms.All, Alice)]);
        await local.SyncAsync(Root);

        var before = Local.Served;
        var data = await local.GetDataAsync(P("a"));
        var stat = await local.ExistsAsync(P("a"));
        var children = await local.GetChildrenWithStatAsync(P("a"));
        var acl = await local.GetAclAsync(P("a"));
        Assert.Null(await local.ExistsAsync(P("missing")));
        await Assert.ThrowsAsync<NoNodeException>(() => local.GetDataAsync(P("missing")));
        await Assert.ThrowsAsync<NoAuthException>(() => local.GetDataAsync(P("secret")));
        // All seven in the silo (a txn of an older session in flight to one of these partitions meanwhile
        // could send one to the grain).
        Assert.True(Local.Served - before >= 6, $"{Local.Served - before} of 7 reads answered in the silo");

        // The same answers through the gateway (the grain).
        Assert.Equal("one", Text(data.Data));
        var remote = await Zk.GetDataAsync(P("a"));
        Assert.Equal(remote.Stat, data.Stat);
        Assert.Equal(remote.Stat, stat);
        Assert.Equal(["child"], children.Children);
        Assert.Equal((await Zk.GetChildrenWithStatAsync(P("a"))).Stat, children.Stat);
        Assert.Equal((await Zk.GetAclAsync(P("a"))).Acl, acl.Acl);

        // The caller owns the bytes it got: changing them changes nothing stored.
        data.Data![0] = (byte)'X';
        Assert.Equal("one", Text((await local.GetDataAsync(P("a"))).Data));
    }

    [Fact]
    public async Task A_client_reads_its_own_write_at_once_in_every_partition()
    {
        var local = await InSiloAsync();
        // Nodes in as many partitions as there are: a write to one leaves the others' watermarks
        // behind the writer's zxid, which this silo's leader vouches for without a call.
        var paths = Enumerable.Range(0, 40).Select(i => P("n" + i)).ToList();
        foreach (var path in paths) await local.CreateAsync(path, Bytes("0"));
        Assert.Equal(ClusterFixture.Partitions, paths.Select(p => PathHash.PartitionOf(p, ClusterFixture.Partitions)).Distinct().Count());

        var before = Local.Served;
        for (var round = 1; round <= 5; round++)
        {
            var written = paths[round * 7 % paths.Count];
            var stat = await local.SetDataAsync(written, Bytes(round.ToString()));
            Assert.Equal(round.ToString(), Text((await local.GetDataAsync(written)).Data));
            foreach (var path in paths)
                Assert.True((await local.GetDataAsync(path)).Stat.Mzxid <= stat.Mzxid);
        }
        // Every read was answered in the silo: none had to ask the leader where the partition stood.
        // (A txn of another session in flight meanwhile could send one or two to the grain; without
        // the leader's word, the reads of the partitions the write did not touch all would.)
        var served = Local.Served - before;
        Assert.True(served >= 5 * (1 + paths.Count) - 2, $"{served} of {5 * (1 + paths.Count)} reads answered in the silo");
    }

    [Fact]
    public async Task A_read_that_sets_a_watch_goes_to_the_grain_and_the_watch_fires()
    {
        var local = await InSiloAsync();
        await Zk.CreateAsync(P("w"), Bytes("1"));
        await local.SyncAsync(Root);
        var fired = new TaskCompletionSource<WatchedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);

        var before = Local.Served;
        await local.GetDataAsync(P("w"), e => fired.TrySetResult(e));
        Assert.Equal(before, Local.Served);

        await Zk.SetDataAsync(P("w"), Bytes("2"));
        var e = await fired.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(WatchEventType.NodeDataChanged, e.Type);
        // The event came before the read that shows the change (this client has a watch fired there).
        Assert.Equal("2", Text((await local.GetDataAsync(P("w"))).Data));
    }

    [Fact]
    public async Task An_authenticated_session_reads_locally_once_the_partition_knows_its_identities()
    {
        var local = await InSiloAsync();
        await local.AddAuthAsync("digest", Bytes("alice:secret"));
        await local.CreateAsync(P("mine"), Bytes("m"), [new Acl(Perms.All, Alice)]);

        // The first read fetches the identities from the leader (a grain call); later ones are local.
        Assert.Equal("m", Text((await local.GetDataAsync(P("mine"))).Data));
        var before = Local.Served;
        for (var i = 0; i < 3; i++) Assert.Equal("m", Text((await local.GetDataAsync(P("mine"))).Data));
        Assert.True(Local.Served - before >= 2, $"{Local.Served - before} of 3 reads answered in the silo");
        // Another session without them is refused, locally too.
        var other = await InSiloAsync();
        await other.SyncAsync(Root);
        await Assert.ThrowsAsync<NoAuthException>(() => other.GetDataAsync(P("mine")));
    }

    [Fact]
    public async Task Readers_inside_the_silo_never_see_a_version_go_back_while_a_writer_changes_the_partitions()
    {
        await Zk.CreateAsync(P("v"), Bytes("0"));
        var readers = new List<ZkClient>();
        for (var i = 0; i < 4; i++) readers.Add(await InSiloAsync());
        using var stop = new CancellationTokenSource();
        var before = Local.Served;

        // The writer changes /v and creates and deletes nodes beside it (the partitions' dictionaries
        // grow and shrink while the readers read them from other threads).
        var writer = Task.Run(async () =>
        {
            try
            {
                for (var i = 1; i <= 300; i++)
                {
                    await Zk.SetDataAsync(P("v"), Bytes(i.ToString()));
                    await Zk.CreateAsync(P("c" + i), null);
                    if (i > 10) await Zk.DeleteAsync(P("c" + (i - 10)));
                }
            }
            finally
            {
                stop.Cancel();
            }
        });
        var reads = readers.Select(reader => Task.Run(async () =>
        {
            var last = -1;
            var count = 0;
            while (!stop.IsCancellationRequested || count == 0)
            {
                var version = (await reader.GetDataAsync(P("v"))).Stat.Version;
                Assert.True(version >= last, $"version {version} after {last}");
                last = version;
                await reader.GetChildrenAsync(Root);
                count++;
            }
            return count;
        })).ToList();
        await writer.WaitAsync(TimeSpan.FromMinutes(2));
        var counts = await Task.WhenAll(reads).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.All(counts, c => Assert.True(c > 0));
        Assert.True(Local.Served - before > 0, "no read was answered in the silo");
        await readers[0].SyncAsync(P("v"));
        Assert.Equal(300, (await readers[0].GetDataAsync(P("v"))).Stat.Version);
    }

    [Fact]
    public async Task Writes_inside_the_silo_reach_the_replica_without_a_message_and_fail_as_grain_calls_do()
    {
        var local = await InSiloAsync();
        var before = Local.Submitted;
        var data = Bytes("abc");
        await local.CreateAsync(P("w"), data);
        // The tree keeps a copy: the caller's buffer is its own again.
        data[0] = (byte)'X';
        Assert.Equal("abc", Text((await Zk.GetDataAsync(P("w"))).Data));

        await Assert.ThrowsAsync<NodeExistsException>(() => local.CreateAsync(P("w"), null));
        await Assert.ThrowsAsync<BadVersionException>(() => local.SetDataAsync(P("w"), Bytes("x"), version: 7));
        await Assert.ThrowsAsync<NoNodeException>(() => local.DeleteAsync(P("missing")));
        var results = await local.MultiAsync([new SetDataRequest(P("w"), Bytes("m"), 0), new CreateRequest(P("w2"), null, [Acl.OpenUnsafe], CreateMode.Persistent)]);
        Assert.Equal(2, results.Count);
        Assert.Equal(5, Local.Submitted - before);

        // Pipelined: issued without waiting, applied and answered in order.
        var writes = Enumerable.Range(1, 50).Select(i => local.SetDataAsync(P("w"), Bytes(i.ToString()))).ToList();
        var stats = await Task.WhenAll(writes);
        Assert.Equal(Enumerable.Range(2, 50), stats.Select(s => s.Version));
        Assert.Equal("50", Text((await Zk.GetDataAsync(P("w"))).Data));
        Assert.Equal(55, Local.Submitted - before);
    }
}
