using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Hosting;
using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.Service.Tests;

/// <summary>
/// The SDK's connection states as events (Curator's ConnectionStateListener): connect, close, a
/// refused addauth, and a lost connection — outstanding calls fail at once, and the client's later
/// writes still go through after it reconnects.
/// </summary>
public sealed class ConnectionStateTests(ClusterFixture fixture) : ClusterTest(fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Connecting_raises_Connected_once_with_the_session_id()
    {
        var zk = NewClient();
        var log = new StateLog(zk);
        Assert.Equal(ZkClientState.NotConnected, zk.State);

        await Task.WhenAll(zk.ConnectAsync(), zk.ConnectAsync());
        await zk.ConnectAsync();

        Assert.Equal([ZkClientState.Connected], await log.SettledStatesAsync());
        var connected = Assert.Single(log.Events);
        Assert.Equal(ZkClientState.NotConnected, connected.PreviousState);
        Assert.Equal(zk.SessionId, connected.SessionId);
        Assert.Equal(ZkClientState.Connected, zk.State);
        Assert.True(zk.State.IsConnected());
    }

    [Fact]
    public async Task Closing_raises_Closed_once()
    {
        var zk = NewClient();
        var log = new StateLog(zk);
        await zk.CreateAsync(P("x"), null);
        await zk.CloseAsync();
        await zk.CloseAsync();
        await zk.DisposeAsync();

        Assert.Equal([ZkClientState.Connected, ZkClientState.Closed], await log.SettledStatesAsync());
        log.AssertChained();
        Assert.True(zk.State.IsFinal());

        var never = NewClient();
        var neverLog = new StateLog(never);
        await never.CloseAsync();
        Assert.Equal([ZkClientState.Closed], await neverLog.SettledStatesAsync());
    }

    [Fact]
    public async Task A_refused_addauth_raises_AuthFailed_and_the_session_carries_on()
    {
        var zk = NewClient();
        var log = new StateLog(zk);
        await zk.AddAuthAsync("digest", Bytes("alice:secret"));

        await Assert.ThrowsAsync<AuthFailedException>(() => zk.AddAuthAsync("kerberos", Bytes("who")));
        Assert.Equal(ZkClientState.AuthFailed, zk.State);
        await Assert.ThrowsAsync<AuthFailedException>(() => zk.AddAuthAsync("kerberos", Bytes("who")));

        // Still connected, with the identity it had.
        Assert.True(zk.State.IsConnected());
        await zk.CreateAsync(P("mine"), Bytes("m"), [new Acl(Perms.All, new ZkId("auth", ""))]);
        Assert.Equal("m", Text((await zk.GetDataAsync(P("mine"))).Data));
        Assert.Equal([ZkClientState.Connected, ZkClientState.AuthFailed], await log.SettledStatesAsync());
        log.AssertChained();
    }

    [Fact]
    public async Task A_blocked_handler_holds_up_neither_the_client_nor_the_order_of_events()
    {
        var zk = NewClient();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new List<ZkClientState>();
        zk.ConnectionStateChanged += (_, e) =>
        {
            lock (seen) seen.Add(e.State);
            if (e.State == ZkClientState.Connected) release.Task.Wait(Deadline);
        };
        zk.ConnectionStateChanged += (_, _) => throw new InvalidOperationException("a listener's own failure");

        // The Connected handler is blocked, yet the client works and changes state meanwhile.
        await zk.CreateAsync(P("while-blocked"), null).WaitAsync(Deadline);
        var close = zk.CloseAsync();
        await close.WaitAsync(Deadline);
        lock (seen) Assert.Equal([ZkClientState.Connected], seen);

        release.SetResult();
        await zk.WhenStateEventsRaised().WaitAsync(Deadline);
        lock (seen) Assert.Equal([ZkClientState.Connected, ZkClientState.Closed], seen);
    }

    [Fact]
    public async Task A_lost_connection_fails_outstanding_calls_at_once_and_later_writes_still_work_after_reconnecting()
    {
        var zk = NewClient(new ZkClientOptions { RequestTimeout = TimeSpan.FromSeconds(60) });
        var log = new StateLog(zk);
        await zk.CreateAsync(P("a"), Bytes("a"), mode: CreateMode.Ephemeral);
        var session = zk.SessionId;

        // A write lost on its way (as with a gateway that dies): its xid never reaches the replica,
        // so the next write is held there behind the gap; a read waits behind both in the client.
        zk.LoseSendsForTest = 1;
        var lost = zk.CreateAsync(P("lost"), null);
        var held = zk.CreateAsync(P("held"), null);
        var read = zk.GetDataAsync(P("a"));
        Assert.False(lost.IsCompleted || held.IsCompleted || read.IsCompleted);

        var clock = Stopwatch.StartNew();
        zk.SimulateConnectionLoss("test: gateway connection closed");
        foreach (var call in new Task[] { lost, held, read })
        {
            var e = await Assert.ThrowsAsync<ConnectionLossException>(() => call.WaitAsync(Deadline));
            Assert.Equal("test: gateway connection closed", e.Detail);
        }
        // At once: not at the 60 s request timeout, nor even at the replica's 2 s gap timeout.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.5), $"the calls failed after {clock.ElapsedMilliseconds} ms");

        // The heartbeat finds the session alive: Reconnected, same session, ephemeral kept.
        await log.WaitForAsync(ZkClientState.Reconnected, Deadline);
        Assert.Equal(session, zk.SessionId);
        Assert.Equal(new[] { P("a") }, await zk.GetEphemeralsAsync(Root));

        // Later writes go through: the replica gives up the missing xid, and applies the held
        // write (its caller was told ConnectionLoss: its outcome was unknown) before them.
        var next = await zk.CreateWithStatAsync(P("next"), null).WaitAsync(Deadline);
        var pipelined = Enumerable.Range(0, 20).Select(_ => zk.CreateAsync(P("s-"), null, mode: CreateMode.PersistentSequential)).ToList();
        var names = await Task.WhenAll(pipelined).WaitAsync(Deadline);
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Null(await Zk.ExistsAsync(P("lost")));
        var heldStat = await Zk.ExistsAsync(P("held"));
        Assert.NotNull(heldStat);
        Assert.True(heldStat.Value.Czxid < next.Stat.Czxid, "the held write took effect before the later one");

        Assert.Equal([ZkClientState.Connected, ZkClientState.Suspended, ZkClientState.Reconnected], await log.SettledStatesAsync());
        log.AssertChained();
        Assert.Equal(ZkClientState.Reconnected, zk.State);
        Assert.True(zk.State.IsConnected());
    }

    [Fact]
    public async Task Over_a_container_set_up_with_AddOrleansZkClient_a_closed_gateway_connection_fails_outstanding_calls_at_once()
    {
        var host = new HostBuilder()
            .UseOrleansClient(client => client
                .UseStaticClustering(Fixture.Cluster.Primary!.GatewayAddress.Endpoint)
                .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ZkDefaults.ClusterId, ZkDefaults.ServiceId)))
            .ConfigureServices(services => services.AddOrleansZkClient(o => (o.SessionTimeoutMs, o.RequestTimeout) = (2_000, TimeSpan.FromSeconds(60))))
            .Build();
        await host.StartAsync();
        try
        {
            var zk = host.Services.GetRequiredService<ZkClient>();
            var log = new StateLog(zk);
            await zk.CreateAsync(P("x"), null);

            zk.LoseSendsForTest = 1;
            var lost = zk.CreateAsync(P("lost"), null);
            var clock = Stopwatch.StartNew();
            // Stopping the Orleans client closes its gateway connection; Orleans tells the ZkClient.
            await host.StopAsync();
            var e = await Assert.ThrowsAsync<ConnectionLossException>(() => lost.WaitAsync(Deadline));
            Assert.Contains("no gateway connected", e.Detail);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"failed after {clock.ElapsedMilliseconds} ms");
            await log.WaitForAsync(ZkClientState.Suspended, Deadline);
        }
        finally
        {
            await ((IAsyncDisposable)host).DisposeAsync();
        }
    }

    [Fact]
    public async Task A_loss_while_the_session_opens_fails_the_attempt_and_the_next_call_opens_one()
    {
        var zk = NewClient(new ZkClientOptions { RequestTimeout = TimeSpan.FromSeconds(60) });
        var log = new StateLog(zk);
        var connect = zk.ConnectAsync();
        zk.SimulateConnectionLoss("test: lost while opening");
        // Either the loss came first (the attempt fails at once) or the session was already open.
        try
        {
            await connect.WaitAsync(Deadline);
        }
        catch (ConnectionLossException e)
        {
            Assert.Equal("test: lost while opening", e.Detail);
            Assert.Equal(ZkClientState.NotConnected, zk.State);
        }
        await zk.CreateAsync(P("opened"), null).WaitAsync(Deadline);
        Assert.True(zk.State.IsConnected());
        await log.SettledStatesAsync();
        log.AssertChained();
    }
}
