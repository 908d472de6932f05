using OrleansZk.Core;

namespace OrleansZk.Grains.Tests;

/// <summary>
/// Watches at grain level (docs/watches.md): partitions fire registrations by ZooKeeper's rules, the
/// replica numbers the events per session and pushes them to the observer the session registered,
/// one message at a time; the write replies' event seq covers them.
/// </summary>
[Collection(SingleSiloCollection.Name)]
public sealed class WatchTests(SingleSiloCluster fixture)
{
    private IClusterClient Client => fixture.Cluster.Client;

    /// <summary>The watches of the trigger table, set on B (the base), B/p or B/p/c.</summary>
    public enum Watch { Data, Exists, Child, ParentChild, Persistent, ParentPersistent, Recursive, RecursiveSelf }

    /// <summary>The writes of the trigger table. The tree before each: B, B/p (except for CreateP), B/p/c (for the child's setData and delete).</summary>
    public enum Op { CreateP, SetDataP, DeleteP, CreateChild, SetDataChild, DeleteChild, SetAclP }

    private const WatchEventType Created = WatchEventType.NodeCreated, Deleted = WatchEventType.NodeDeleted,
        Changed = WatchEventType.NodeDataChanged, Children = WatchEventType.NodeChildrenChanged;

    /// <summary>
    /// ZooKeeper's table: the event each watch gets from each write (type and "B", "p" or "c" for the
    /// path), or none. getData / getChildren on a missing node set no watch; exists on one does.
    /// </summary>
    private static readonly Dictionary<Op, (WatchEventType, string)?[]> Table = new()
    {
        //                          Data            Exists          Child           ParentChild      Persistent      ParentPersistent  Recursive       RecursiveSelf
        [Op.CreateP] =      [null,           (Created, "p"), null,           (Children, "B"), (Created, "p"), (Children, "B"),  (Created, "p"), (Created, "p")],
        [Op.SetDataP] =     [(Changed, "p"), (Changed, "p"), null,           null,            (Changed, "p"), null,             (Changed, "p"), (Changed, "p")],
        [Op.DeleteP] =      [(Deleted, "p"), (Deleted, "p"), (Deleted, "p"), (Children, "B"), (Deleted, "p"), (Children, "B"),  (Deleted, "p"), (Deleted, "p")],
        [Op.CreateChild] =  [null,           null,           (Children, "p"), null,           (Children, "p"), null,            (Created, "c"), (Created, "c")],
        [Op.SetDataChild] = [null,           null,           null,           null,            null,           null,             (Changed, "c"), (Changed, "c")],
        [Op.DeleteChild] =  [null,           null,           (Children, "p"), null,           (Children, "p"), null,            (Deleted, "c"), (Deleted, "c")],
        [Op.SetAclP] =      [null,           null,           null,           null,            null,           null,             null,           null],
    };

    public static IEnumerable<object[]> Ops => Enum.GetValues<Op>().Select(op => new object[] { op });

    [Theory]
    [MemberData(nameof(Ops))]
    public async Task Every_watch_kind_fires_as_ZooKeeper_for(Op op)
    {
        await using var s = await WatchSession.OpenAsync(Client);
        foreach (var watch in Enum.GetValues<Watch>())
        {
            var b = $"/wt-{op}-{watch}-{Guid.NewGuid():N}";
            var paths = new Dictionary<string, string> { ["B"] = b, ["p"] = b + "/p", ["c"] = b + "/p/c" };
            await s.Create(b);
            if (op != Op.CreateP) await s.Create(paths["p"]);
            if (op is Op.SetDataChild or Op.DeleteChild) await s.Create(paths["c"]);
            switch (watch)
            {
                case Watch.Data: await s.Read(ReadKind.GetData, paths["p"]); break;
                case Watch.Exists: await s.Read(ReadKind.Exists, paths["p"]); break;
                case Watch.Child: await s.Read(ReadKind.GetChildren, paths["p"]); break;
                case Watch.ParentChild: await s.Read(ReadKind.GetChildren, b); break;
                case Watch.Persistent: await s.AddWatch(paths["p"], AddWatchMode.Persistent); break;
                case Watch.ParentPersistent: await s.AddWatch(b, AddWatchMode.Persistent); break;
                case Watch.Recursive: await s.AddWatch(b, AddWatchMode.PersistentRecursive); break;
                case Watch.RecursiveSelf: await s.AddWatch(paths["p"], AddWatchMode.PersistentRecursive); break;
            }
            var before = s.Seq;
            var reply = await s.Write(op switch
            {
                Op.CreateP => new CreateRequest(paths["p"], null, [Acl.OpenUnsafe], CreateMode.Persistent),
                Op.SetDataP => new SetDataRequest(paths["p"], [1]),
                Op.DeleteP => new DeleteRequest(paths["p"]),
                Op.CreateChild => new CreateRequest(paths["c"], null, [Acl.OpenUnsafe], CreateMode.Persistent),
                Op.SetDataChild => new SetDataRequest(paths["c"], [1]),
                Op.DeleteChild => new DeleteRequest(paths["c"]),
                _ => new SetAclRequest(paths["p"], new AclList([Acl.OpenUnsafe]), -1),
            });
            var got = (await s.EventsOf(reply, before)).Select(e => (e.Type, e.Path, e.Zxid)).ToList();
            var want = Table[op][(int)watch] is var (type, which) ? new[] { (type, paths[which], reply.Zxid) } : [];
            Assert.True(want.SequenceEqual(got), $"{op} with a {watch} watch: expected [{string.Join(", ", want)}], got [{string.Join(", ", got)}]");
        }
    }

    [Fact]
    public async Task A_one_shot_watch_fires_once_a_persistent_one_every_time()
    {
        await using var s = await WatchSession.OpenAsync(Client);
        var a = "/once-" + Guid.NewGuid().ToString("N");
        var p = "/always-" + Guid.NewGuid().ToString("N");
        await s.Create(a);
        await s.Create(p);
        await s.Read(ReadKind.GetData, a);
        await s.AddWatch(p, AddWatchMode.Persistent);
        for (var i = 0; i < 3; i++)
        {
            var before = s.Seq;
            var ra = await s.Write(new SetDataRequest(a, [(byte)i]));
            Assert.Equal(i == 0 ? 1 : 0, (await s.EventsOf(ra, before)).Count);
            before = s.Seq;
            var rp = await s.Write(new SetDataRequest(p, [(byte)i]));
            Assert.Equal([(WatchEventType.NodeDataChanged, p)], (await s.EventsOf(rp, before)).Select(e => (e.Type, e.Path)));
        }
    }

    [Fact]
    public async Task A_recursive_watch_covers_its_subtree_in_every_partition_and_never_sees_children_changed()
    {
        await using var s = await WatchSession.OpenAsync(Client);
        var root = "/rec-" + Guid.NewGuid().ToString("N");
        await s.Create(root);
        await s.AddWatch(root, AddWatchMode.PersistentRecursive);
        var kids = Enumerable.Range(0, 24).Select(i => $"{root}/k{i}").ToList();
        Assert.True(kids.Select(k => PathHash.PartitionOf(k, s.Info.Service.Partitions)).Distinct().Count() > 4, "children should spread over partitions");
        var before = s.Seq;
        WriteReply last = null!;
        foreach (var k in kids) last = await s.Create(k);
        foreach (var k in kids) last = await s.Create(k + "/g");
        var events = await s.EventsOf(last, before);
        Assert.Equal(kids.Select(k => (WatchEventType.NodeCreated, k)).Concat(kids.Select(k => (WatchEventType.NodeCreated, k + "/g"))),
            events.Select(e => (e.Type, e.Path)));
        Assert.DoesNotContain(events, e => e.Type == WatchEventType.NodeChildrenChanged);

        // Removed (from every partition): nothing more fires.
        Assert.Equal(ZkErrorCode.Ok, (await s.RemoveWatches(root, WatcherType.PersistentRecursive)).Code);
        before = s.Seq;
        foreach (var k in kids) last = await s.Write(new SetDataRequest(k, [1]));
        Assert.Equal(before, last.EventSeq);
    }

    [Fact]
    public async Task RemoveWatches_answers_NoWatcher_when_nothing_matches_and_removes_by_type()
    {
        await using var s = await WatchSession.OpenAsync(Client);
        var a = "/rm-" + Guid.NewGuid().ToString("N");
        await s.Create(a);
        Assert.Equal(ZkErrorCode.NoWatcher, (await s.RemoveWatches(a, WatcherType.Any)).Code);
        await s.Read(ReadKind.GetData, a);
        await s.Read(ReadKind.GetChildren, a);
        Assert.Equal(ZkErrorCode.NoWatcher, (await s.RemoveWatches(a, WatcherType.Persistent)).Code);
        Assert.Equal(ZkErrorCode.NoWatcher, (await s.RemoveWatches(a, WatcherType.PersistentRecursive)).Code);
        Assert.Equal(ZkErrorCode.Ok, (await s.RemoveWatches(a, WatcherType.Data)).Code);
        Assert.Equal(ZkErrorCode.NoWatcher, (await s.RemoveWatches(a, WatcherType.Data)).Code);
        // The child watch is still there: a new child fires it; the removed data watch does not fire.
        var before = s.Seq;
        var r = await s.Write(new MultiRequest([new SetDataRequest(a, [1]), new CreateRequest(a + "/c", null, [Acl.OpenUnsafe], CreateMode.Persistent)]));
        Assert.Equal([(WatchEventType.NodeChildrenChanged, a)], (await s.EventsOf(r, before)).Select(e => (e.Type, e.Path)));
        Assert.Equal(ZkErrorCode.NoWatcher, (await s.RemoveWatches(a, WatcherType.Any)).Code);
        Assert.Equal(ZkErrorCode.BadArguments, (await s.RemoveWatches("no-slash", WatcherType.Any)).Code);
    }

    [Fact]
    public async Task Events_arrive_in_zxid_order_with_contiguous_seqs_and_a_multis_in_op_order()
    {
        await using var s = await WatchSession.OpenAsync(Client);
        var root = "/order-" + Guid.NewGuid().ToString("N");
        await s.Create(root);
        await s.AddWatch(root, AddWatchMode.PersistentRecursive);
        await s.AddWatch(root, AddWatchMode.Persistent);
        var before = s.Seq;
        // Pipelined writes (one batch or several), then a multi touching several partitions.
        var writes = Enumerable.Range(0, 50).Select(i => s.Create($"{root}/n{i}")).ToList();
        await Task.WhenAll(writes);
        var multi = await s.Write(new MultiRequest([
            new SetDataRequest(root + "/n7", [1]),
            new DeleteRequest(root + "/n3"),
            new CreateRequest(root + "/m", null, [Acl.OpenUnsafe], CreateMode.Persistent),
            new SetDataRequest(root + "/n1", [1])]));
        var events = await s.EventsOf(multi, before);
        // Each create: NodeCreated (recursive) then NodeChildrenChanged on root (persistent), by zxid.
        var replies = writes.Select(w => w.Result).OrderBy(r => r.Zxid).ToList();
        var expected = replies.SelectMany(r => new[] { (WatchEventType.NodeCreated, r.Result.Path!, r.Zxid), (WatchEventType.NodeChildrenChanged, root, r.Zxid) })
            .Concat([
                (WatchEventType.NodeDataChanged, root + "/n7", multi.Zxid),
                (WatchEventType.NodeDeleted, root + "/n3", multi.Zxid),
                (WatchEventType.NodeChildrenChanged, root, multi.Zxid),
                (WatchEventType.NodeCreated, root + "/m", multi.Zxid),
                (WatchEventType.NodeChildrenChanged, root, multi.Zxid),
                (WatchEventType.NodeDataChanged, root + "/n1", multi.Zxid)]);
        Assert.Equal(expected, events.Select(e => (e.Type, e.Path, e.Zxid)));
        Assert.Equal(Enumerable.Range((int)before + 1, events.Count).Select(i => (long)i), events.Select(e => e.Seq));
        // Each reply's seq covers the events its own write caused.
        foreach (var r in writes.Select(w => w.Result))
            Assert.True(events.Where(e => e.Zxid == r.Zxid).All(e => e.Seq <= r.EventSeq), $"reply at 0x{r.Zxid:x} says seq {r.EventSeq}");
    }

    [Fact]
    public async Task Another_sessions_writes_fire_this_sessions_watches()
    {
        await using var watcher = await WatchSession.OpenAsync(Client);
        await using var second = await WatchSession.OpenAsync(Client);
        await using var writer = await WatchSession.OpenAsync(Client);
        var a = "/other-" + Guid.NewGuid().ToString("N");
        await writer.Create(a);
        await watcher.Read(ReadKind.Exists, a);
        var r = await writer.Write(new DeleteRequest(a));
        Assert.Equal(0, r.EventSeq);
        var events = await watcher.Events.Through(1);
        Assert.Equal([(WatchEventType.NodeDeleted, a, r.Zxid)], events.Select(e => (e.Type, e.Path, e.Zxid)));
    }

    [Fact]
    public async Task Exists_on_a_missing_node_fires_NodeCreated_and_getData_on_one_sets_nothing()
    {
        await using var s = await WatchSession.OpenAsync(Client);
        var a = "/late-" + Guid.NewGuid().ToString("N");
        Assert.Null((await s.Read(ReadKind.Exists, a)).Stat);
        Assert.Equal(ZkErrorCode.NoNode, (await s.Read(ReadKind.GetData, a + "x")).Code);
        var before = s.Seq;
        var r = await s.Create(a);
        Assert.Equal([(WatchEventType.NodeCreated, a)], (await s.EventsOf(r, before)).Select(e => (e.Type, e.Path)));
        before = s.Seq;
        r = await s.Create(a + "x");
        Assert.Equal(before, r.EventSeq);
    }

    [Fact]
    public async Task A_client_that_does_not_answer_holds_up_only_its_own_events_which_then_follow_in_order_in_one_message()
    {
        await using var slow = await WatchSession.OpenAsync(Client);
        await using var other = await WatchSession.OpenAsync(Client);
        var a = "/slow-" + Guid.NewGuid().ToString("N");
        await other.Create(a);
        await slow.AddWatch(a, AddWatchMode.Persistent);
        await other.AddWatch(a, AddWatchMode.Persistent);
        var hold = new TaskCompletionSource();
        slow.Events.HoldNext = hold;

        // Writes are answered, and the other session gets each event, while the slow client has not
        // answered its first message.
        var writes = new List<WriteReply>();
        for (var i = 0; i < 5; i++) writes.Add(await other.Write(new SetDataRequest(a, [(byte)i])));
        Assert.Equal(5, (await other.Events.Through(5)).Count);
        Assert.Empty(slow.Events.Events);

        hold.SetResult();
        var events = await slow.Events.Through(5);
        Assert.Equal(writes.Select(w => (WatchEventType.NodeDataChanged, a, w.Zxid)), events.Select(e => (e.Type, e.Path, e.Zxid)));
        // The first message, then the four that waited behind it, as one.
        Assert.Equal(2, slow.Events.Messages);
    }

    [Fact]
    public async Task A_new_observer_of_the_session_takes_its_events_over_from_the_reply_seq_on()
    {
        await using var s = await WatchSession.OpenAsync(Client);
        var a = "/takeover-" + Guid.NewGuid().ToString("N");
        await s.Create(a);
        await s.AddWatch(a, AddWatchMode.Persistent);
        await s.Write(new SetDataRequest(a, [1]));
        Assert.Single(await s.Events.Through(1));

        var (next, reply) = await EventCollector.TakeOverAsync(Client, s.Replica, s.Id);
        using (next)
        {
            Assert.Equal(1, reply.EventSeq);
            var r = await s.Write(new SetDataRequest(a, [2]));
            Assert.Equal([(2L, r.Zxid)], (await next.Through(2)).Select(e => (e.Seq, e.Zxid)));
            // The first observer was let go: the event went to the new one only.
            Assert.Single(s.Events.Events);
        }
    }

    [Fact]
    public async Task Re_registrations_complete_at_once_when_later_writes_touch_a_partition_that_had_nothing_since_an_earlier_one()
    {
        // The barrier's state is a write on partition C; the watched path's partition B last got a
        // delivery before that, and writes after the barrier touch B. B cannot learn from the
        // leader's Advance that it is complete through the barrier's state (it sees later txns
        // touching it, not delivered: held behind the barrier), so the barrier tells it; a catch-up
        // instead would wait for the held writes' events to be numbered, which wait for the barrier.
        await using var watcher = await WatchSession.OpenAsync(Client);
        await using var second = await WatchSession.OpenAsync(Client);
        await using var writer = await WatchSession.OpenAsync(Client);
        var partitions = watcher.Info.Service.Partitions;
        var b = Enumerable.Range(0, 1_000).Select(i => $"/rb-{i}-{Guid.NewGuid():N}").First(p => PathHash.PartitionOf(p, partitions) == 3);
        var c = Enumerable.Range(0, 1_000).Select(i => $"/rc-{i}-{Guid.NewGuid():N}").First(p => PathHash.PartitionOf(p, partitions) == 4);
        await writer.Create(b);
        await writer.Create(c);
        var watches = new WatchSet([new WatchPath(b, 0)], [], [], [], []);
        for (var round = 0; round < 20; round++)
        {
            var before = writer.Write(new SetDataRequest(c, [(byte)round]));
            var reregistered = watcher.Replica.SetWatches(watcher.Id, 0, watches, watcher.Events.Reference);
            // A second barrier right behind the first, with writes between and after: it must not
            // wait for a segment that waits for it.
            var between = writer.Write(new SetDataRequest(c, [(byte)round, 1]));
            var again = second.Replica.SetWatches(second.Id, 0, watches, second.Events.Reference);
            var after = Enumerable.Range(0, 4).Select(i => writer.Write(new SetDataRequest(b, [(byte)round, (byte)i]))).ToList();
            var started = System.Diagnostics.Stopwatch.StartNew();
            await Task.WhenAll([before, between, .. after, reregistered, again]).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(ZkErrorCode.Ok, (await reregistered).Code);
            Assert.Equal(ZkErrorCode.Ok, (await again).Code);
            // Not a partition's one-second wait and catch-up: the barrier said where it stands.
            Assert.True(started.Elapsed < TimeSpan.FromMilliseconds(900), $"round {round}: {started.Elapsed.TotalMilliseconds:0} ms");
        }
    }
}
