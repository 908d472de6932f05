using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans;
using Orleans.Configuration;
using Orleans.Core.Internal;
using Orleans.Hosting;
using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.Service.Tests;

/// <summary>
/// Watches through the SDK over the TCP cluster: ZooKeeper's trigger rules, order with replies,
/// expiry, reconnects and lost streams. "No event" is checked without waiting on a clock: a write
/// (or sync) by the watching client is handed back only after every event of its session caused at
/// or before it, so once the watcher's own sync returns, the events it will ever get for the changes
/// before it are in.
/// </summary>
public sealed class WatchTests(ClusterFixture fixture) : ClusterTest(fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>A node of this test, and another client (its own session) with a persistent watch on it.</summary>
    private async Task<(string Path, ZkClient Watcher, WatchRecorder Events)> WatchedNodeAsync(string name, ZkClientOptions? options = null)
    {
        var path = P(name);
        await Zk.CreateAsync(path, Bytes("0"));
        var watcher = NewClient(options);
        var events = new WatchRecorder();
        await watcher.AddWatchAsync(path, events.Watcher, AddWatchMode.Persistent);
        return (path, watcher, events);
    }

    /// <summary>Repeats <paramref name="call"/> until it fails with SessionExpired (the partitions hear of an ended session within a moment).</summary>
    private static Task UntilExpiredAsync(Func<Task> call, string what) =>
        Eventually(async () =>
        {
            try
            {
                await call();
                return false;
            }
            catch (SessionExpiredException)
            {
                return true;
            }
        }, Deadline, what);

    public static TheoryData<string, string, string> TriggerTable()
    {
        // watch kind × operation → the event the watcher gets ("" = none). Nodes: N = the watched
        // node (exists unless the op creates it), C = a child of N, G = a grandchild under C.
        var rows = new (string Watch, string Op, string Event)[]
        {
            ("data", "setData N", "NodeDataChanged N"),
            ("data", "delete N", "NodeDeleted N"),
            ("data", "create C", ""),
            ("data", "setACL N", ""),
            ("exists", "setData N", "NodeDataChanged N"),
            ("exists", "delete N", "NodeDeleted N"),
            ("exists", "create C", ""),
            ("exists-missing", "create N", "NodeCreated N"),
            ("exists-missing", "create other", ""),
            ("child", "create C", "NodeChildrenChanged N"),
            ("child", "delete C", "NodeChildrenChanged N"),
            ("child", "setData C", ""),
            ("child", "setData N", ""),
            ("child", "delete N", "NodeDeleted N"),
            ("persistent", "setData N", "NodeDataChanged N"),
            ("persistent", "create C", "NodeChildrenChanged N"),
            ("persistent", "setData C", ""),
            ("persistent", "delete N", "NodeDeleted N"),
            ("recursive", "setData N", "NodeDataChanged N"),
            ("recursive", "create C", "NodeCreated C"),
            ("recursive", "setData C", "NodeDataChanged C"),
            ("recursive", "create G", "NodeCreated G"),
            ("recursive", "delete C", "NodeDeleted C"),
            ("recursive", "setACL N", ""),
        };
        var data = new TheoryData<string, string, string>();
        foreach (var (watch, op, e) in rows) data.Add(watch, op, e);
        return data;
    }

    [Theory]
    [MemberData(nameof(TriggerTable))]
    public async Task Zookeepers_trigger_rules_hold_through_the_sdk(string watch, string op, string expected)
    {
        var n = P("n");
        var c = n + "/c";
        var watcher = NewClient();
        if (watch != "exists-missing")
        {
            await Zk.CreateAsync(n, Bytes("v0"));
            if (op is "delete C" or "setData C" or "create G") await Zk.CreateAsync(c, null);
        }
        var rec = new WatchRecorder();
        switch (watch)
        {
            case "data": await watcher.GetDataAsync(n, rec.Watcher); break;
            case "exists" or "exists-missing": await watcher.ExistsAsync(n, rec.Watcher); break;
            case "child": await watcher.GetChildrenAsync(n, rec.Watcher); break;
            case "persistent": await watcher.AddWatchAsync(n, rec.Watcher, AddWatchMode.Persistent); break;
            case "recursive": await watcher.AddWatchAsync(n, rec.Watcher, AddWatchMode.PersistentRecursive); break;
        }
        switch (op)
        {
            case "setData N": await Zk.SetDataAsync(n, Bytes("v1")); break;
            case "delete N": await Zk.DeleteAsync(n); break;
            case "create N": await Zk.CreateAsync(n, null); break;
            case "create other": await Zk.CreateAsync(P("other"), null); break;
            case "create C": await Zk.CreateAsync(c, null); break;
            case "delete C": await Zk.DeleteAsync(c); break;
            case "setData C": await Zk.SetDataAsync(c, Bytes("c1")); break;
            case "create G": await Zk.CreateAsync(c + "/g", null); break;
            case "setACL N": await Zk.SetAclAsync(n, AclList.OpenUnsafe); break;
        }
        var expectedEvents = expected == ""
            ? []
            : new[] { expected.Replace(" N", " " + n).Replace(" C", " " + c).Replace(" G", " " + c + "/g") };
        if (expectedEvents.Length > 0) await rec.WaitForCountAsync(1, Deadline);
        // Every event caused before the watcher's own sync is in once the sync returns.
        await watcher.SyncAsync("/");
        Assert.Equal(expectedEvents, rec.Seen);
    }

    [Fact]
    public async Task A_one_shot_watch_fires_once_and_a_persistent_one_every_time_in_zxid_order()
    {
        var n = P("n");
        await Zk.CreateAsync(n, Bytes("v0"));
        var watcher = NewClient();
        var once = new WatchRecorder();
        var always = new WatchRecorder();
        await watcher.GetDataAsync(n, once.Watcher);
        await watcher.AddWatchAsync(n, always.Watcher, AddWatchMode.Persistent);
        var zxids = new List<long>();
        for (var i = 1; i <= 5; i++) zxids.Add((await Zk.SetDataAsync(n, Bytes("v" + i))).Mzxid);

        await always.WaitForCountAsync(5, Deadline);
        await watcher.SyncAsync("/");
        Assert.Single(once.Events);
        Assert.Equal(zxids[0], once.Events[0].Zxid);
        Assert.Equal(zxids, always.Events.Select(e => e.Zxid));
        Assert.All(always.Events, e => Assert.Equal(WatchEventType.NodeDataChanged, e.Type));
    }

    [Fact]
    public async Task A_session_sees_its_event_before_a_read_that_returns_the_new_data()
    {
        var (n, watcher, rec) = await WatchedNodeAsync("n");
        for (var i = 1; i <= 20; i++)
        {
            var write = Zk.SetDataAsync(n, Bytes(i.ToString()));
            // Read until the new data shows: by then the event must have reached the watcher.
            while (Text((await watcher.GetDataAsync(n)).Data) != i.ToString()) { }
            Assert.Equal(i, rec.Events.Count);
            await write;
        }
    }

    [Fact]
    public async Task A_write_reply_comes_after_the_events_it_caused_for_its_own_session()
    {
        var n = P("n");
        await Zk.CreateAsync(n, null);
        var rec = new WatchRecorder();
        await Zk.GetChildrenAsync(n, rec.Watcher);
        await Zk.ExistsAsync(n + "/a", rec.Watcher);
        await Zk.CreateAsync(n + "/a", null);
        // No waiting: the create's reply was handed back after both events.
        Assert.Equal([$"NodeCreated {n}/a", $"NodeChildrenChanged {n}"], rec.Seen);
    }

    [Fact]
    public async Task WatchAsync_yields_the_events_and_removes_the_watch_when_the_enumeration_ends()
    {
        var n = P("n");
        await Zk.CreateAsync(n, null);
        var watcher = NewClient();
        var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource(Deadline);
        var reading = Task.Run(async () =>
        {
            await foreach (var e in watcher.WatchAsync(n, AddWatchMode.PersistentRecursive, stop.Token))
            {
                seen.Enqueue($"{e.Type} {e.Path}");
                if (e.Type == WatchEventType.NodeDeleted) break;
            }
        });
        await Eventually(async () =>
        {
            // The watch is in place once the client holds it (a removal would then succeed); poll by writing.
            await Zk.SetDataAsync(n, Bytes("probe"));
            return !seen.IsEmpty;
        }, Deadline, "the enumeration's first event");
        await Zk.CreateAsync(n + "/a", null);
        await Zk.DeleteAsync(n + "/a");
        await reading.WaitAsync(Deadline);
        Assert.Equal([$"NodeCreated {n}/a", $"NodeDeleted {n}/a"], seen.Skip(seen.Count - 2));
        Assert.All(seen.SkipLast(2), s => Assert.Equal($"NodeDataChanged {n}", s));
        // Ended: the watch is gone from the client.
        await Assert.ThrowsAsync<NoWatcherException>(() => watcher.RemoveAllWatchesAsync(n, WatcherType.PersistentRecursive, local: true));
    }

    [Fact]
    public async Task Expiry_deletes_the_ephemerals_and_fires_their_watches()
    {
        var owner = NewClient(new ZkClientOptions { SessionTimeoutMs = 1_000 });
        var e = await owner.CreateAsync(P("e"), null, mode: CreateMode.Ephemeral);
        var watcher = NewClient();
        var rec = new WatchRecorder();
        await watcher.ExistsAsync(e, rec.Watcher);
        var parent = new WatchRecorder();
        await watcher.GetChildrenAsync(Root, parent.Watcher);

        owner.HeartbeatsPaused = true;
        await rec.WaitForCountAsync(1, Deadline);
        await parent.WaitForCountAsync(1, Deadline);
        Assert.Equal([$"NodeDeleted {e}"], rec.Seen);
        Assert.Equal([$"NodeChildrenChanged {Root}"], parent.Seen);
        Assert.Null(await watcher.ExistsAsync(e));
        // The partitions hear of the ended session within a moment, and refuse its reads; the client is then Expired.
        await UntilExpiredAsync(() => owner.GetDataAsync(Root), "a read of the expired session to fail with SessionExpired");
        Assert.Equal(ZkClientState.Expired, owner.State);
        await Assert.ThrowsAsync<SessionExpiredException>(() => owner.ExistsAsync(Root));
    }

    [Fact]
    public async Task A_client_that_reconnects_keeps_its_session_its_ephemerals_and_its_watches()
    {
        var zk = NewClient(new ZkClientOptions { SessionTimeoutMs = 4_000 });
        var log = new StateLog(zk);
        var e = await zk.CreateAsync(P("e"), null, mode: CreateMode.Ephemeral);
        var n = P("n");
        await Zk.CreateAsync(n, null);
        var once = new WatchRecorder();
        var always = new WatchRecorder();
        await zk.GetDataAsync(n, once.Watcher);
        await zk.AddWatchAsync(Root, always.Watcher, AddWatchMode.PersistentRecursive);

        zk.SimulateConnectionLoss("test: connection dropped");
        await log.WaitForAsync(ZkClientState.Reconnected, Deadline);
        await Eventually(() => Task.FromResult(zk.Reregistrations > 0), Deadline, "the watches to be re-registered");

        await Zk.SetDataAsync(n, Bytes("after"));
        await once.WaitForCountAsync(1, Deadline);
        await always.WaitForCountAsync(1, Deadline);
        await zk.SyncAsync("/");
        Assert.Equal([$"NodeDataChanged {n}"], once.Seen);
        Assert.Equal([$"NodeDataChanged {n}"], always.Seen);
        Assert.NotNull(await Zk.ExistsAsync(e));
    }

    [Fact]
    public async Task After_lost_stream_messages_the_client_re_registers_and_gets_every_missed_change_once_in_order()
    {
        var x = P("x");
        var y = P("y");
        await Zk.CreateAsync(x, Bytes("0"));
        await Zk.CreateAsync(y, Bytes("0"));
        var watcher = NewClient();
        var always = new WatchRecorder();
        var once = new WatchRecorder();
        await watcher.AddWatchAsync(x, always.Watcher, AddWatchMode.Persistent);
        await watcher.GetDataAsync(y, once.Watcher);

        // The next four messages are lost: three changes of x and the change of y.
        watcher.DropEventMessagesForTest = 4;
        var zxids = new List<long>();
        for (var i = 1; i <= 3; i++) zxids.Add((await Zk.SetDataAsync(x, Bytes(i.ToString()))).Mzxid);
        var yZxid = (await Zk.SetDataAsync(y, Bytes("1"))).Mzxid;
        await Eventually(() => Task.FromResult(watcher.DropEventMessagesForTest == 0), Deadline, "the four messages to be dropped");
        // The next one shows the gap: the client re-registers, and the service replays what it missed.
        zxids.Add((await Zk.SetDataAsync(x, Bytes("4"))).Mzxid);

        await always.WaitForCountAsync(4, Deadline);
        await once.WaitForCountAsync(1, Deadline);
        await watcher.SyncAsync("/");
        Assert.Equal(zxids, always.Events.Select(e => e.Zxid));
        Assert.Equal([$"NodeDataChanged {y}"], once.Seen);
        Assert.Equal(yZxid, once.Events[0].Zxid);
        Assert.True(watcher.Reregistrations >= 1);
    }

    [Fact]
    public async Task A_held_reply_whose_events_never_come_re_registers_without_waiting_for_another_event()
    {
        var x = P("x");
        await Zk.CreateAsync(x, Bytes("0"));
        var rec = new WatchRecorder();
        await Zk.AddWatchAsync(x, rec.Watcher, AddWatchMode.Persistent);
        Zk.DropEventMessagesForTest = 1;
        // Its own write fires its watch; the message is lost; the reply waits, then the client re-registers.
        var zxid = (await Zk.SetDataAsync(x, Bytes("1"))).Mzxid;
        Assert.Equal([zxid], rec.Events.Select(e => e.Zxid));
        Assert.True(Zk.Reregistrations >= 1);
    }

    [Fact]
    public async Task A_partition_that_lost_its_registrations_is_noticed_by_the_pings_and_the_watches_come_back()
    {
        var x = P("x");
        await Zk.CreateAsync(x, Bytes("0"));
        var watcher = NewClient(new ZkClientOptions { SessionTimeoutMs = 1_500 });
        var once = new WatchRecorder();
        var always = new WatchRecorder();
        await watcher.GetDataAsync(x, once.Watcher);
        await watcher.AddWatchAsync(x, always.Watcher, AddWatchMode.Persistent);

        // The partition's activation goes (as with its silo): its registrations with it.
        var replica = Fixture.Cluster.Client.GetGrain<IZkReplicaGrain>(1);
        var losses = (await replica.Ping(Zk.SessionId)).RegistrationLosses;
        var partition = Fixture.Cluster.Client.GetGrain<IZkPartitionGrain>(PathHash.PartitionOf(x, ClusterFixture.Partitions));
        await partition.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        await Eventually(async () =>
        {
            await Zk.ExistsAsync(x); // reactivates it once the old activation is gone
            return (await replica.Ping(Zk.SessionId)).RegistrationLosses > losses;
        }, Deadline, "the partition to be activated afresh");

        var changed = (await Zk.SetDataAsync(x, Bytes("1"))).Mzxid;
        // Whether the client re-registered before the change (then it fires live) or after (then
        // the re-registration fires it): the one-shot watch gets it, once.
        await once.WaitForCountAsync(1, Deadline);
        await always.WaitForCountAsync(1, Deadline);
        var again = (await Zk.SetDataAsync(x, Bytes("2"))).Mzxid;
        await always.WaitForAsync(e => e.Zxid == again, Deadline, "a live event after the re-registration");
        await watcher.SyncAsync("/");

        Assert.True(watcher.Reregistrations >= 1);
        Assert.Equal([(WatchEventType.NodeDataChanged, changed)], once.Events.Select(e => (e.Type, e.Zxid)));
        // The persistent watch: the change live or replayed, or HistoryTrimmed (the new activation has no history).
        Assert.Contains(always.Events[0].Type, new[] { WatchEventType.NodeDataChanged, WatchEventType.HistoryTrimmed });
        Assert.Equal((WatchEventType.NodeDataChanged, again), (always.Events[^1].Type, always.Events[^1].Zxid));
    }

    [Fact]
    public async Task A_persistent_watch_whose_missed_changes_left_the_history_gets_HistoryTrimmed()
    {
        var (x, watcher, rec) = await WatchedNodeAsync("x");
        var lost = ClusterFixture.WatchHistory + 10;
        watcher.DropEventMessagesForTest = lost;
        for (var i = 1; i <= lost; i++) await Zk.SetDataAsync(x, Bytes(i.ToString()));
        await Eventually(() => Task.FromResult(watcher.DropEventMessagesForTest == 0), Deadline, "the messages to be dropped");
        var last = (await Zk.SetDataAsync(x, Bytes("last"))).Mzxid;

        await rec.WaitForAsync(e => e.Zxid == last, Deadline, "the change after the loss");
        await watcher.SyncAsync("/");
        var events = rec.Events;
        Assert.Equal(WatchEventType.HistoryTrimmed, events[0].Type);
        Assert.Equal(x, events[0].Path);
        // What the history still held follows, in order, ending with the live change.
        Assert.All(events.Skip(1), e => Assert.Equal(WatchEventType.NodeDataChanged, e.Type));
        Assert.Equal(events.Skip(1).Select(e => e.Zxid).Order(), events.Skip(1).Select(e => e.Zxid));
        Assert.Equal(last, events[^1].Zxid);
    }

    [Fact]
    public async Task Losses_in_the_middle_of_a_stream_of_pipelined_changes_leave_every_change_delivered_once_in_order()
    {
        // Short pings: a loss with no later message to show the gap is found by the next pings.
        var (x, watcher, rec) = await WatchedNodeAsync("x", new ZkClientOptions { SessionTimeoutMs = 1_500 });
        // Chunks of 50 pipelined changes; every other chunk loses its first message, and the
        // re-registration runs while the rest of the chunk is still being applied. The watcher
        // catches up before the next chunk, so a replay never needs more than the test cluster's
        // history (64 triggers per partition).
        var zxids = new List<long>();
        for (var chunk = 0; chunk < 8; chunk++)
        {
            if (chunk % 2 == 1) watcher.DropEventMessagesForTest = 1;
            var batch = Enumerable.Range(0, 50).Select(i => Zk.SetDataAsync(x, Bytes($"{chunk}.{i}"))).ToList();
            zxids.AddRange((await Task.WhenAll(batch)).Select(st => st.Mzxid));
            await rec.WaitForCountAsync(zxids.Count, Deadline);
        }
        await watcher.SyncAsync("/");
        Assert.Equal(zxids, rec.Events.Select(e => e.Zxid));
        Assert.True(watcher.Reregistrations >= 4, $"{watcher.Reregistrations} re-registrations");
    }

    [Fact]
    public async Task Bad_watch_arguments_get_typed_errors()
    {
        var rec = new WatchRecorder();
        await Assert.ThrowsAsync<BadArgumentsException>(() => Zk.AddWatchAsync("no-slash", rec.Watcher, AddWatchMode.Persistent));
        await Assert.ThrowsAsync<BadArgumentsException>(() => Zk.AddWatchAsync(Root, rec.Watcher, (AddWatchMode)7));
        await Assert.ThrowsAsync<BadArgumentsException>(() => Zk.RemoveAllWatchesAsync(Root, (WatcherType)9));
        await Assert.ThrowsAsync<BadArgumentsException>(() => Zk.GetDataAsync("/a/", rec.Watcher));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Zk.AddWatchAsync(Root, null!, AddWatchMode.Persistent));
        // A failed getData sets no watch.
        await Assert.ThrowsAsync<NoNodeException>(() => Zk.GetDataAsync(P("missing"), rec.Watcher));
        await Assert.ThrowsAsync<NoWatcherException>(() => Zk.RemoveAllWatchesAsync(P("missing"), WatcherType.Any, local: true));
    }

    [Fact]
    public async Task A_bare_Orleans_client_gets_its_watch_events_with_nothing_to_configure()
    {
        var host = new HostBuilder()
            .UseOrleansClient(client => client
                .UseStaticClustering(Fixture.Cluster.Primary!.GatewayAddress.Endpoint)
                .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ZkDefaults.ClusterId, ZkDefaults.ServiceId)))
            .Build();
        await host.StartAsync();
        try
        {
            await using var zk = new ZkClient(host.Services.GetRequiredService<IClusterClient>());
            var n = P("n");
            await zk.CreateAsync(n, null);
            var events = new WatchRecorder();
            await zk.GetDataAsync(n, events.Watcher);
            await zk.SetDataAsync(n, Bytes("y")).WaitAsync(TimeSpan.FromSeconds(10));
            // The writer is the watcher: its reply is handed over only after the event.
            Assert.Equal(["NodeDataChanged " + n], events.Seen);
            Assert.Equal("y", Text((await zk.GetDataAsync(n).WaitAsync(TimeSpan.FromSeconds(10))).Data));
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    [Fact]
    public async Task A_watch_enumeration_ends_with_SessionExpired_on_expiry_and_quietly_on_close()
    {
        var n = P("n");
        await Zk.CreateAsync(n, null);
        var expiring = NewClient(new ZkClientOptions { SessionTimeoutMs = 1_000 });
        var closing = NewClient();
        var expiringEvents = expiring.WatchAsync(n).GetAsyncEnumerator();
        var closingEvents = closing.WatchAsync(n).GetAsyncEnumerator();
        var expiringNext = expiringEvents.MoveNextAsync().AsTask();
        var closingNext = closingEvents.MoveNextAsync().AsTask();
        // Both watches are in place once a change reaches them.
        await Eventually(async () =>
        {
            await Zk.SetDataAsync(n, Bytes("probe"));
            return expiringNext.IsCompleted && closingNext.IsCompleted;
        }, Deadline, "both enumerations' first event");
        Assert.True(await expiringNext);
        Assert.True(await closingNext);

        await closing.CloseAsync();
        while (await closingEvents.MoveNextAsync().AsTask().WaitAsync(Deadline)) { }

        // No heartbeat: the session expires at the service; the client learns it from its next call.
        expiring.HeartbeatsPaused = true;
        await UntilExpiredAsync(() => expiring.ExistsAsync(n), "the client to learn its session expired");
        await Assert.ThrowsAsync<SessionExpiredException>(async () =>
        {
            while (await expiringEvents.MoveNextAsync().AsTask().WaitAsync(Deadline)) { }
        });
    }

    [Fact]
    public async Task A_thousand_sessions_on_one_orleans_client_each_get_exactly_one_event_per_change()
    {
        const int Sessions = 1_000;
        const int Changes = 3;
        var n = P("n");
        await Zk.CreateAsync(n, Bytes("0"));
        var clients = Enumerable.Range(0, Sessions).Select(_ => NewClient()).ToList();
        var recorders = clients.Select(_ => new WatchRecorder()).ToList();
        await Task.WhenAll(clients.Select((c, i) => c.AddWatchAsync(n, recorders[i].Watcher, AddWatchMode.Persistent)));

        var zxids = new List<long>();
        for (var i = 1; i <= Changes; i++) zxids.Add((await Zk.SetDataAsync(n, Bytes(i.ToString()))).Mzxid);
        await Task.WhenAll(recorders.Select(r => r.WaitForCountAsync(Changes, TimeSpan.FromSeconds(60))));
        // Each session's sync returns after every event of its session so far: none more may come.
        await Task.WhenAll(clients.Select(c => c.SyncAsync("/")));
        Assert.All(recorders, r => Assert.Equal(zxids, r.Events.Select(e => e.Zxid)));
    }
}
