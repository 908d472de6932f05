using Microsoft.Extensions.DependencyInjection;
using Orleans;
using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.Service.Tests;

public sealed class SessionTests(ClusterFixture fixture) : ClusterTest(fixture)
{
    [Fact]
    public async Task A_new_client_opens_its_session_on_connect()
    {
        var zk = NewClient(new ZkClientOptions { SessionTimeoutMs = 12_000 });
        Assert.Equal(ZkClientState.NotConnected, zk.State);
        Assert.Equal(0, zk.SessionId);

        await zk.ConnectAsync();
        await zk.ConnectAsync(); // idempotent

        Assert.Equal(ZkClientState.Connected, zk.State);
        Assert.NotEqual(0, zk.SessionId);
        Assert.Equal(16, zk.SessionPassword.Length);
        Assert.Equal(12_000, zk.SessionTimeoutMs);
        Assert.True(zk.LastZxid > 0);
    }

    [Fact]
    public async Task The_service_bounds_the_session_timeout()
    {
        var zk = NewClient(new ZkClientOptions { SessionTimeoutMs = 1 });
        await zk.ConnectAsync();
        Assert.Equal(500, zk.SessionTimeoutMs); // 2 ticks of this cluster's 250 ms
        var big = NewClient(new ZkClientOptions { SessionTimeoutMs = 600_000 });
        await big.ConnectAsync();
        Assert.Equal(60_000, big.SessionTimeoutMs); // MaxSessionTimeoutMs
    }

    [Fact]
    public async Task The_client_heartbeats_so_its_session_outlives_its_timeout()
    {
        var zk = NewClient(new ZkClientOptions { SessionTimeoutMs = 2_000 });
        await zk.CreateAsync(P("beating"), null, mode: CreateMode.Ephemeral);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // Idle (no requests) for 2.5 timeouts: only the heartbeats keep it.
        await Eventually(async () => clock.ElapsedMilliseconds > 5_000 && await Zk.ExistsAsync(P("beating")) != null,
            TimeSpan.FromSeconds(10), "2.5 idle timeouts to pass with the ephemeral kept");
        Assert.True(zk.State.IsConnected(), $"state {zk.State}"); // Connected, or Reconnected after a slow ping under load
        await zk.SetDataAsync(P("beating"), [1]);
    }

    [Fact]
    public async Task Clients_over_one_cluster_client_are_separate_sessions()
    {
        var other = NewClient();
        var mine = await Zk.CreateWithStatAsync(P("mine"), null, mode: CreateMode.Ephemeral);
        var theirs = await other.CreateWithStatAsync(P("theirs"), null, mode: CreateMode.Ephemeral);

        Assert.NotEqual(Zk.SessionId, other.SessionId);
        Assert.Equal(Zk.SessionId, mine.Stat.EphemeralOwner);
        Assert.Equal(other.SessionId, theirs.Stat.EphemeralOwner);
        Assert.Equal(new[] { P("mine") }, await Zk.GetEphemeralsAsync(Root));
        Assert.Equal(new[] { P("theirs") }, await other.GetEphemeralsAsync(Root));
    }

    [Fact]
    public async Task Closing_a_session_deletes_its_ephemerals_at_once_as_another_client_sees()
    {
        var owner = NewClient();
        await owner.CreateAsync(P("e1"), null, mode: CreateMode.Ephemeral);
        var seq = await owner.CreateAsync(P("e-"), null, mode: CreateMode.EphemeralSequential);
        await owner.CreateAsync(P("kept"), null);
        Assert.NotNull(await Zk.ExistsAsync(P("e1")));

        await owner.CloseAsync();

        await Zk.SyncAsync(Root);
        Assert.Null(await Zk.ExistsAsync(P("e1")));
        Assert.Null(await Zk.ExistsAsync(seq));
        Assert.NotNull(await Zk.ExistsAsync(P("kept")));
    }

    [Fact]
    public async Task Ephemerals_created_in_the_same_batches_as_the_close_go_with_it()
    {
        // Pipelined: the creates and the closeSession are prepared together, so the close must
        // take the ephemerals that are prepared but not yet applied.
        var owner = NewClient();
        await owner.ConnectAsync();
        var creates = Enumerable.Range(0, 200).Select(i => owner.CreateAsync(P($"e{i}"), null, mode: CreateMode.Ephemeral)).ToList();
        var close = owner.CloseAsync();
        await Task.WhenAll(creates);
        await close;

        await Zk.SyncAsync(Root);
        Assert.Empty(await Zk.GetChildrenAsync(Root));
    }

    [Fact]
    public async Task Close_is_idempotent_and_later_calls_fail_with_session_expired()
    {
        var zk = NewClient();
        await zk.ConnectAsync();
        var first = zk.CloseAsync();
        Assert.Same(first, zk.CloseAsync());
        await first;

        Assert.Equal(ZkClientState.Closed, zk.State);
        // As ZooKeeper's Java client (recorded: 36-closed-session).
        var e = await Assert.ThrowsAsync<SessionExpiredException>(() => zk.GetDataAsync(Root));
        Assert.Equal("client closed", e.Detail);
        await Assert.ThrowsAsync<SessionExpiredException>(() => zk.CreateAsync(P("x"), null));
        await Assert.ThrowsAsync<SessionExpiredException>(() => zk.ConnectAsync());
    }

    [Fact]
    public async Task Closing_a_client_that_never_connected_sends_nothing()
    {
        var zk = NewClient();
        await zk.CloseAsync();
        Assert.Equal(ZkClientState.Closed, zk.State);
        Assert.Equal(0, zk.SessionId);
    }

    [Fact]
    public async Task Writes_issued_before_close_are_applied_before_it()
    {
        var zk = NewClient();
        var writes = Enumerable.Range(0, 50).Select(i => zk.CreateAsync(P("w" + i), null)).ToList();
        await zk.CloseAsync();
        await Task.WhenAll(writes);
        Assert.Equal(50, (await Zk.GetChildrenAsync(Root)).Count);
    }

    [Fact]
    public async Task ConnectAsync_with_a_connect_string_owns_its_Orleans_client()
    {
        var zk = await ZkClient.ConnectAsync(Fixture.GatewayConnectString);
        try
        {
            Assert.Equal(ZkClientState.Connected, zk.State);
            await zk.CreateAsync(P("via-gateway"), Bytes("g"), mode: CreateMode.Ephemeral);
            Assert.Equal("g", Text((await Zk.GetDataAsync(P("via-gateway"))).Data));
        }
        finally
        {
            await zk.CloseAsync();
        }
        Assert.Equal(ZkClientState.Closed, zk.State);
        await Zk.SyncAsync(Root);
        Assert.Null(await Zk.ExistsAsync(P("via-gateway")));
    }

    [Fact]
    public async Task An_unreachable_gateway_is_connection_loss_within_the_request_timeout()
    {
        var started = DateTime.UtcNow;
        // Port 1 on loopback: nothing listens there.
        await Assert.ThrowsAsync<ConnectionLossException>(() =>
            ZkClient.ConnectAsync("127.0.0.1:1", new ZkClientOptions { RequestTimeout = TimeSpan.FromSeconds(2) }));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task A_replica_no_silo_hosts_is_connection_loss()
    {
        var zk = NewClient(new ZkClientOptions { ReplicaId = 7 });
        var e = await Assert.ThrowsAsync<ConnectionLossException>(() => zk.ConnectAsync());
        Assert.Contains("ReplicaUnavailableException", e.Detail);
        Assert.Equal(ZkClientState.NotConnected, zk.State);
    }

    [Fact]
    public async Task A_cancelled_write_still_takes_its_place_and_later_writes_are_not_held_up()
    {
        await Zk.ConnectAsync();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Zk.CreateAsync(P("cancelled"), null, ct: cancelled.Token));

        // The cancelled create was sent all the same (its xid must reach the replica), so the next
        // write is not held behind a missing xid.
        Assert.Equal(P("next"), await Zk.CreateAsync(P("next"), null).WaitAsync(TimeSpan.FromSeconds(1)));
        Assert.NotNull(await Zk.ExistsAsync(P("cancelled")));
    }

    [Fact]
    public async Task AddOrleansZkClient_registers_a_configured_singleton_closed_with_the_container()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IClusterClient>(Fixture.Cluster.Client);
        services.AddOrleansZkClient(o => o.SessionTimeoutMs = 10_000);
        ZkClient zk;
        await using (var provider = services.BuildServiceProvider())
        {
            zk = provider.GetRequiredService<ZkClient>();
            Assert.Same(zk, provider.GetRequiredService<ZkClient>());
            await zk.CreateAsync(P("di"), null, mode: CreateMode.Ephemeral);
            Assert.Equal(10_000, zk.SessionTimeoutMs);
        }
        Assert.Equal(ZkClientState.Closed, zk.State);
        await Zk.SyncAsync(Root);
        Assert.Null(await Zk.ExistsAsync(P("di")));
    }
}
