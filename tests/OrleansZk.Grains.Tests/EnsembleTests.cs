using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.Grains.Tests;

/// <summary>
/// Three replicas on three silos: one leader, followers in sync, the same tree everywhere; followers
/// that rejoin by DIFF, SNAP and TRUNC (each asserted by the plan the leader reports); a cut-off
/// leader that acknowledges nothing after its successor is established; a leader lost mid-write;
/// a full stop and start. Each test leaves every replica running.
/// </summary>
[Collection(ThreeReplicaCollection.Name)]
public sealed class EnsembleTests(ThreeReplicaCluster fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task One_leader_serves_and_the_others_follow_it_in_sync()
    {
        var leader = await fixture.SettledLeaderAsync();
        var statuses = await fixture.Statuses();
        Assert.Equal(3, statuses.Count);
        Assert.Single(statuses, s => s.Role == "Leading");
        Assert.All(statuses.Where(s => s.ReplicaId != leader.ReplicaId), s =>
        {
            Assert.Equal("Following", s.Role);
            Assert.Equal(leader.ReplicaId, s.LeaderId);
            Assert.False(s.Serving);
        });
        // A follower refuses client calls and names the leader.
        var follower = statuses.First(s => s.Role == "Following").ReplicaId;
        var refused = await Assert.ThrowsAsync<NotLeaderException>(() => fixture.Replica(follower).Ping(1));
        Assert.Equal(leader.ReplicaId, refused.LeaderId);
        Assert.True((await fixture.GrainFactory.GetGrain<IZkServiceGrain>(0).FindLeader(refresh: true)).LeaderId == leader.ReplicaId);
    }

    [Fact]
    public async Task Every_replica_applies_the_same_sequence()
    {
        await fixture.SettledLeaderAsync();
        await using var zk = fixture.NewClient();
        var root = "/same-" + Guid.NewGuid().ToString("N")[..8];
        await zk.CreateAsync(root, null);
        var writes = new List<Task>();
        for (var i = 0; i < 200; i++)
        {
            writes.Add(zk.CreateAsync($"{root}/s-", [(byte)i], mode: CreateMode.PersistentSequential));
            writes.Add(zk.CreateAsync($"{root}/e{i}", null, mode: CreateMode.Ephemeral));
            writes.Add(zk.MultiAsync([new SetDataRequest(root, [(byte)i]), new CreateRequest($"{root}/m{i}", null, AclList.OpenUnsafe, CreateMode.Persistent)]));
        }
        await Task.WhenAll(writes);
        await zk.SyncAsync("/");
        var digest = await fixture.SameTreeAsync(fixture.Ids, zk.LastZxid);
        Assert.True(digest.Nodes > 600, $"{digest.Nodes} nodes");
    }

    [Fact]
    public async Task A_follower_that_missed_a_few_writes_rejoins_by_DIFF_and_one_far_behind_or_wiped_by_SNAP()
    {
        var leader = await fixture.SettledLeaderAsync();
        var follower = fixture.Ids.First(id => id != leader.ReplicaId);
        await using var zk = fixture.NewClient();
        var root = "/rejoin-" + Guid.NewGuid().ToString("N")[..8];
        await zk.CreateAsync(root, null);

        // A few writes while it is away: DIFF.
        await fixture.StopReplicaAsync(follower);
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => zk.CreateAsync($"{root}/d{i}", null)));
        var before = (await fixture.SettledLeaderAsync([])).DiffSyncs;
        await fixture.StartReplicaAsync(follower);
        var after = await fixture.SettledLeaderAsync();
        Assert.True(after.DiffSyncs > before, $"DIFF plans {before} -> {after.DiffSyncs}");
        await zk.SyncAsync("/");
        await fixture.SameTreeAsync(fixture.Ids, zk.LastZxid);

        // More writes than a DIFF may carry (1,000): SNAP.
        await fixture.StopReplicaAsync(follower);
        for (var batch = 0; batch < 6; batch++)
            await Task.WhenAll(Enumerable.Range(0, 200).Select(i => zk.CreateAsync($"{root}/s{batch}-{i}", null)));
        before = (await fixture.SettledLeaderAsync([])).SnapSyncs;
        await fixture.StartReplicaAsync(follower);
        after = await fixture.SettledLeaderAsync();
        Assert.True(after.SnapSyncs > before, $"SNAP plans {before} -> {after.SnapSyncs} (leader {after.ReplicaId}, DIFF {after.DiffSyncs}, TRUNC {after.TruncSyncs})");
        await zk.SyncAsync("/");
        await fixture.SameTreeAsync(fixture.Ids, zk.LastZxid);

        // Its data directory wiped (a replaced disk): it starts empty and rejoins by SNAP.
        await fixture.StopReplicaAsync(follower);
        Directory.Delete(Path.Combine(fixture.DataDir, $"replica-{follower}"), recursive: true);
        await zk.CreateAsync($"{root}/after-wipe", null);
        before = (await fixture.SettledLeaderAsync([])).SnapSyncs;
        await fixture.StartReplicaAsync(follower);
        after = await fixture.SettledLeaderAsync();
        Assert.True(after.SnapSyncs > before, $"SNAP plans after the wipe {before} -> {after.SnapSyncs}");
        await zk.SyncAsync("/");
        await fixture.SameTreeAsync(fixture.Ids, zk.LastZxid);
    }

    [Fact]
    public async Task A_cut_off_leader_acknowledges_nothing_and_its_uncommitted_tail_is_truncated_when_it_rejoins()
    {
        var old = await fixture.SettledLeaderAsync();
        var others = fixture.Ids.Where(id => id != old.ReplicaId).ToList();
        var session = await fixture.Replica(old.ReplicaId).CreateSession(30_000, [1, 2, 3]);
        var path = "/cut-" + Guid.NewGuid().ToString("N")[..8];

        // Cut the leader off, then give it writes: it logs them but can never commit them.
        fixture.Links.Isolate(old.ReplicaId, others);
        var stranded = Enumerable.Range(1, 5)
            .Select(i => fixture.Replica(old.ReplicaId).Submit(session.SessionId, i, new CreateRequest($"{path}-{i}", null, AclList.OpenUnsafe, CreateMode.Persistent)))
            .ToList();
        var next = await Eventually.Until(fixture.Statuses,
            s => s.Any(r => others.Contains(r.ReplicaId) && r.Role == "Leading" && r.Serving), Deadline, "a new leader among the others");
        var successor = next.Single(r => others.Contains(r.ReplicaId) && r.Role == "Leading");
        Assert.True(successor.Epoch > old.Epoch);
        await using (var zk = fixture.NewClient())
        {
            // The successor serves; a create that meets a fresh election (a loaded machine) fails with ConnectionLoss and is tried again.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    await zk.CreateAsync(path + "-new", null);
                    break;
                }
                catch (NodeExistsException)
                {
                    break; // an earlier attempt whose outcome was unknown did create it
                }
                catch (ConnectionLossException) when (clock.Elapsed < Deadline)
                {
                    await Task.Delay(RetryInterval);
                }
            }
        }

        // The old leader steps down: every write it held fails (outcome unknown to the client), none succeeded.
        foreach (var write in stranded)
            Assert.Equal(ZkErrorCode.ConnectionLoss, (await write.WaitAsync(Deadline)).Code);

        var truncs = successor.TruncSyncs;
        fixture.Links.Heal();
        var leader = await fixture.SettledLeaderAsync();
        Assert.Equal(successor.ReplicaId, leader.ReplicaId);
        Assert.True(leader.TruncSyncs > truncs, $"TRUNC plans {truncs} -> {leader.TruncSyncs}");
        var digest = await fixture.SameTreeAsync(fixture.Ids);
        await using var reader = fixture.NewClient();
        await reader.SyncAsync("/");
        Assert.NotNull(await reader.ExistsAsync(path + "-new"));
        for (var i = 1; i <= 5; i++) Assert.Null(await reader.ExistsAsync($"{path}-{i}"));
        Assert.True(digest.Zxid > 0);
    }

    [Fact]
    public async Task Losing_the_leader_costs_an_election_never_an_acknowledged_write_and_sessions_carry_on()
    {
        var leader = await fixture.SettledLeaderAsync();
        await using var zk = fixture.NewClient(sessionTimeoutMs: 20_000);
        var states = new System.Collections.Concurrent.ConcurrentQueue<ZkClientState>();
        zk.ConnectionStateChanged += (_, e) => states.Enqueue(e.State);
        var root = "/failover-" + Guid.NewGuid().ToString("N")[..8];
        await zk.CreateAsync(root, null);
        var session = zk.SessionId;
        var ephemeral = await zk.CreateAsync(root + "/alive", null, mode: CreateMode.Ephemeral);

        // Writes pipelined while the leader's silo goes away: each is acknowledged or fails, never lost.
        var acked = new System.Collections.Concurrent.ConcurrentBag<string>();
        var writes = Enumerable.Range(0, 300).Select(async i =>
        {
            try
            {
                acked.Add(await zk.CreateAsync($"{root}/w{i}", null));
            }
            catch (ConnectionLossException)
            {
                // Outcome unknown: may or may not be there.
            }
        }).ToList();
        var stop = fixture.StopReplicaAsync(leader.ReplicaId);
        await Task.WhenAll(writes);
        await stop;

        var next = await fixture.SettledLeaderAsync();
        Assert.NotEqual(leader.ReplicaId, next.ReplicaId);
        Assert.True(next.Epoch > leader.Epoch);

        // The same session goes on at the new leader (Suspended, then Reconnected), its ephemeral intact.
        await Eventually.Until(() => Task.FromResult(zk.State), s => s == ZkClientState.Reconnected, Deadline, "the client reconnected");
        Assert.Contains(ZkClientState.Suspended, states);
        await zk.CreateAsync(root + "/after", null);
        Assert.Equal(session, zk.SessionId);
        await zk.SyncAsync("/");
        Assert.NotNull(await zk.ExistsAsync(ephemeral));
        foreach (var path in acked) Assert.NotNull(await zk.ExistsAsync(path));

        await fixture.StartReplicaAsync(leader.ReplicaId);
        await fixture.SettledLeaderAsync();
        await zk.SyncAsync("/");
        await fixture.SameTreeAsync(fixture.Ids, zk.LastZxid);
    }

    [Fact]
    public async Task After_every_replica_stops_and_starts_again_every_acknowledged_write_is_there()
    {
        await fixture.SettledLeaderAsync();
        var root = "/restart-" + Guid.NewGuid().ToString("N")[..8];
        List<string> acked;
        await using (var zk = fixture.NewClient())
        {
            await zk.CreateAsync(root, null);
            acked = [.. await Task.WhenAll(Enumerable.Range(0, 100).Select(i => zk.CreateAsync($"{root}/n-", [(byte)i], mode: CreateMode.PersistentSequential)))];
            await zk.MultiAsync([new SetDataRequest(root, [1]), new CreateRequest(root + "/multi", null, AclList.OpenUnsafe, CreateMode.Persistent)]);
        }
        await Task.WhenAll(fixture.Ids.Select(fixture.StopReplicaAsync));
        await Task.WhenAll(fixture.Ids.Select(fixture.StartReplicaAsync));
        await fixture.SettledLeaderAsync();
        await using var reader = fixture.NewClient();
        await reader.SyncAsync("/");
        var children = await reader.GetChildrenAsync(root);
        Assert.Equal(101, children.Count);
        Assert.All(acked, path => Assert.Contains(path[(root.Length + 1)..], children));
        Assert.Equal([1], (await reader.GetDataAsync(root)).Data);
        await fixture.SameTreeAsync(fixture.Ids, reader.LastZxid);
    }

    [Fact]
    public async Task Sync_and_linearizable_reads_see_another_clients_acknowledged_write()
    {
        await fixture.SettledLeaderAsync();
        await using var writer = fixture.NewClient();
        await using var reader = fixture.NewClient();
        var path = "/lin-" + Guid.NewGuid().ToString("N")[..8];
        await reader.ExistsAsync("/"); // the reader's session is open before the write
        for (var i = 0; i < 20; i++)
        {
            if (i == 0) await writer.CreateAsync(path, [0]);
            else await writer.SetDataAsync(path, [(byte)i]);
            var read = await reader.GetDataAsync(path, ReadConsistency.Linearizable);
            Assert.Equal(i, read.Data![0]);
        }
        await writer.SetDataAsync(path, [99]);
        await reader.SyncAsync(path);
        Assert.Equal(99, (await reader.GetDataAsync(path)).Data![0]);
    }
}

/// <summary>Five replicas: any two can go (the leader among them) and the other three carry on; then everyone agrees again.</summary>
[Collection(FiveReplicaCollection.Name)]
public sealed class FiveReplicaTests(FiveReplicaCluster fixture)
{
    [Fact]
    public async Task Five_replicas_elect_one_leader_survive_two_losses_and_converge_on_one_tree()
    {
        var leader = await fixture.SettledLeaderAsync();
        Assert.Equal(4, leader.FollowersInSync.Count);
        await using var zk = fixture.NewClient(sessionTimeoutMs: 20_000);
        var root = "/five-" + Guid.NewGuid().ToString("N")[..8];
        await zk.CreateAsync(root, null);
        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => zk.CreateAsync($"{root}/a{i}", null)));

        // The leader and a follower go: three of five are a quorum.
        var follower = fixture.Ids.First(id => id != leader.ReplicaId);
        await Task.WhenAll(fixture.StopReplicaAsync(leader.ReplicaId), fixture.StopReplicaAsync(follower));
        var next = await fixture.SettledLeaderAsync();
        Assert.True(next.Epoch > leader.Epoch);
        Assert.Equal(2, next.FollowersInSync.Count);
        await Eventually.Until(() => Task.FromResult(zk.State), s => s == Client.ZkClientState.Reconnected, TimeSpan.FromSeconds(30), "the client reconnected");
        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => zk.CreateAsync($"{root}/b{i}", null)));

        await Task.WhenAll(fixture.StartReplicaAsync(leader.ReplicaId), fixture.StartReplicaAsync(follower));
        var settled = await fixture.SettledLeaderAsync();
        Assert.Equal(4, settled.FollowersInSync.Count);
        await zk.SyncAsync("/");
        var digest = await fixture.SameTreeAsync(fixture.Ids, zk.LastZxid);
        Assert.Equal(100, (await zk.GetChildrenAsync(root)).Count);
        Assert.True(digest.Nodes >= 105);
    }
}
