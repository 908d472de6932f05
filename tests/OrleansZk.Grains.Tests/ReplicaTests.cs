using OrleansZk.Core;

namespace OrleansZk.Grains.Tests;

/// <summary>The replica's write path seen through its grain interface: FIFO gate, watermarks, containers and TTL nodes.</summary>
[Collection(SingleSiloCollection.Name)]
public sealed class ReplicaTests(SingleSiloCluster fixture)
{
    private static readonly IReadOnlyList<Acl> Open = [Acl.OpenUnsafe];
    private IGrainFactory Grains => fixture.Cluster.Client;
    private IZkReplicaGrain Replica => Grains.GetGrain<IZkReplicaGrain>(1);

    private IZkPartitionGrain PartitionOf(string path, SessionInfo s) =>
        Grains.GetGrain<IZkPartitionGrain>(PathHash.PartitionOf(path, s.Service.Partitions));

    private Task<SessionInfo> NewSession() => Replica.CreateSession(30_000, Guid.NewGuid().ToByteArray());

    [Fact]
    public async Task Writes_arriving_out_of_xid_order_take_effect_in_xid_order()
    {
        var s = await NewSession();
        var path = "/fifo-" + Guid.NewGuid().ToString("N");
        // xid 2 (setData) is sent before xid 1 (create): the gate holds it until xid 1 is in.
        var second = Replica.Submit(s.SessionId, 2, new SetDataRequest(path, [2]));
        var first = Replica.Submit(s.SessionId, 1, new CreateRequest(path, [1], Open, CreateMode.Persistent));
        var (r1, r2) = (await first, await second);
        Assert.Equal(ZkErrorCode.Ok, r1.Code);
        Assert.Equal(ZkErrorCode.Ok, r2.Code);
        Assert.True(r2.Zxid > r1.Zxid);
        var read = await PartitionOf(path, s).Read(new ReadCall(ReadKind.GetData, path, s.SessionId, 0, r2.Zxid));
        Assert.Equal([2], read.Data);
        Assert.Equal(1, read.Stat!.Value.Version);
    }

    [Fact]
    public async Task A_lost_xid_stalls_its_successors_only_until_the_gap_timeout()
    {
        var s = await NewSession();
        var path = "/gap-" + Guid.NewGuid().ToString("N");
        Assert.Equal(ZkErrorCode.Ok, (await Replica.Submit(s.SessionId, 1, new CreateRequest(path, null, Open, CreateMode.Persistent))).Code);
        // xid 2 never arrives; xid 3 goes through once the replica gives xid 2 up.
        var third = await Replica.Submit(s.SessionId, 3, new SetDataRequest(path, [3])).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(ZkErrorCode.Ok, third.Code);
        // ... and a late xid 2 is refused rather than applied out of order.
        var late = await Replica.Submit(s.SessionId, 2, new SetDataRequest(path, [2]));
        Assert.Equal(ZkErrorCode.ConnectionLoss, late.Code);
    }

    [Fact]
    public async Task A_read_above_a_partitions_watermark_catches_up_before_answering()
    {
        var s = await NewSession();
        // Find two paths in different partitions; write one, then read the other with the write's zxid.
        var a = "/wm-a-" + Guid.NewGuid().ToString("N");
        var b = Enumerable.Range(0, 100).Select(i => $"/wm-b-{i}-{Guid.NewGuid():N}")
            .First(p => PathHash.PartitionOf(p, s.Service.Partitions) != PathHash.PartitionOf(a, s.Service.Partitions));
        var write = await Replica.Submit(s.SessionId, 1, new CreateRequest(a, null, Open, CreateMode.Persistent));
        var read = await PartitionOf(b, s).Read(new ReadCall(ReadKind.Exists, b, s.SessionId, 0, write.Zxid));
        Assert.Equal(ZkErrorCode.Ok, read.Code);
        Assert.True(read.Zxid >= write.Zxid, $"reply watermark 0x{read.Zxid:x} below the client's zxid 0x{write.Zxid:x}");
    }

    [Fact]
    public async Task Unknown_sessions_get_SessionExpired()
    {
        var reply = await Replica.Submit(0x7777_0000_0000, 1, new CreateRequest("/x", null, Open, CreateMode.Persistent));
        Assert.Equal(ZkErrorCode.SessionExpired, reply.Code);
    }

    [Fact]
    public async Task Empty_containers_and_expired_ttl_nodes_are_deleted_by_the_replica()
    {
        var s = await NewSession();
        var id = Guid.NewGuid().ToString("N");
        var container = "/container-" + id;
        var ttl = "/ttl-" + id;
        var xid = 0;
        async Task<WriteReply> Write(WriteRequest r)
        {
            var reply = await Replica.Submit(s.SessionId, ++xid, r);
            Assert.Equal(ZkErrorCode.Ok, reply.Code);
            return reply;
        }
        await Write(new CreateRequest(container, null, Open, CreateMode.Container));
        await Write(new CreateRequest(container + "/child", null, Open, CreateMode.Persistent));
        var last = (await Write(new CreateRequest(ttl, null, Open, CreateMode.PersistentWithTtl, Ttl: 300))).Zxid;

        // A container with a child stays through several scans (every 100 ms) ...
        var stay = await Eventually.Until(
            () => PartitionOf(ttl, s).Read(new ReadCall(ReadKind.Exists, ttl, s.SessionId, 0, last)),
            r => r.Stat == null, TimeSpan.FromSeconds(20), "the TTL node to expire");
        Assert.NotNull((await PartitionOf(container, s).Read(new ReadCall(ReadKind.Exists, container, s.SessionId, 0, stay.Zxid))).Stat);

        // ... and goes once it is empty.
        last = (await Write(new DeleteRequest(container + "/child"))).Zxid;
        await Eventually.Until(
            () => PartitionOf(container, s).Read(new ReadCall(ReadKind.Exists, container, s.SessionId, 0, last)),
            r => r.Stat == null, TimeSpan.FromSeconds(20), "the empty container to go");
    }

    [Fact]
    public async Task Effects_delivered_out_of_order_are_held_until_the_gap_fills()
    {
        var s = await NewSession();
        const int partition = 5;
        var grain = Grains.GetGrain<IZkPartitionGrain>(partition);
        // Two synthetic nodes of this partition at zxids far above the replica's, delivered in the
        // wrong order: the second names the first as its predecessor, so it must wait for it.
        var paths = Enumerable.Range(0, 1000).Select(i => $"/synthetic-{i}-{Guid.NewGuid():N}")
            .Where(p => PathHash.PartitionOf(p, s.Service.Partitions) == partition).Take(2).ToArray();
        await grain.Read(new ReadCall(ReadKind.Exists, "/", s.SessionId, 0, 0));
        var mark = await Replica.GetWatermark(partition);
        long z1 = mark.Watermark + 1_000_000, z2 = z1 + 1;
        PartitionDelivery Delivery(long prev, long zxid, string path) => new(1, mark.Epoch, prev, zxid,
            [new TxnEffects(zxid, [new NodeEffect(path, true, true, new Stat(zxid, zxid, 0, 0, 0, 0, 0, 0, 0, 0, zxid), true, null, AclList.OpenUnsafe, null)])]);

        var second = grain.Deliver(Delivery(z1, z2, paths[1]));
        await grain.Deliver(Delivery(mark.LastTouched, z1, paths[0]));
        await second.WaitAsync(TimeSpan.FromSeconds(10));
        foreach (var path in paths)
            Assert.NotNull((await grain.Read(new ReadCall(ReadKind.Exists, path, s.SessionId, 0, z2))).Stat);

        // A gap that never fills makes the leader catch the partition up: it is ahead of the leader, so it gets an image, which knows neither node.
        var orphan = grain.Deliver(Delivery(z2 + 5, z2 + 10, paths[0] + "x"));
        await orphan.WaitAsync(TimeSpan.FromSeconds(10));
        var after = await Replica.GetWatermark(partition);
        foreach (var path in paths)
            Assert.Null((await grain.Read(new ReadCall(ReadKind.Exists, path, s.SessionId, 0, after.Watermark))).Stat);
    }
}
