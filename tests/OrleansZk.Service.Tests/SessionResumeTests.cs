using System.Diagnostics;
using System.Security.Cryptography;
using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.Service.Tests;

/// <summary>
/// Resuming a session in another client (as another process would, with the id and password) and
/// sessions that expire for want of heartbeats, as the client that owned them reports.
/// </summary>
public sealed class SessionResumeTests(ClusterFixture fixture) : ClusterTest(fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_second_client_resumes_the_session_and_owns_its_ephemerals()
    {
        var first = NewClient(new ZkClientOptions { SessionTimeoutMs = 10_000 });
        var firstLog = new StateLog(first);
        await first.CreateAsync(P("e1"), Bytes("1"), mode: CreateMode.Ephemeral);
        var seq = await first.CreateAsync(P("e-"), null, mode: CreateMode.EphemeralSequential);

        var second = NewClient(new ZkClientOptions { SessionId = first.SessionId, SessionPassword = first.SessionPassword });
        var secondLog = new StateLog(second);
        await second.ConnectAsync();
        Assert.Equal(first.SessionId, second.SessionId);
        Assert.Equal(first.SessionPassword, second.SessionPassword);
        Assert.Equal(10_000, second.SessionTimeoutMs); // the session's own timeout
        Assert.Equal(new[] { seq, P("e1") }.Order(StringComparer.Ordinal), await second.GetEphemeralsAsync(Root));

        // It writes as the session, its xids numbered afresh, pipelined in FIFO order.
        var creates = Enumerable.Range(0, 10).Select(_ => second.CreateWithStatAsync(P("e-"), null, mode: CreateMode.EphemeralSequential)).ToList();
        var delete = second.DeleteAsync(P("e1"));
        var made = await Task.WhenAll(creates).WaitAsync(Deadline);
        await delete.WaitAsync(Deadline);
        Assert.All(made, m => Assert.Equal(first.SessionId, m.Stat.EphemeralOwner));
        Assert.Equal(made.Select(m => m.Path).Order(StringComparer.Ordinal), made.Select(m => m.Path));
        Assert.Equal(11, (await second.GetEphemeralsAsync(Root)).Count);
        Assert.Null(await second.ExistsAsync(P("e1")));

        // Its close ends the session: the ephemerals go, and the first client learns at its next ping.
        await second.CloseAsync();
        await Zk.SyncAsync(Root);
        Assert.Empty(await Zk.GetChildrenAsync(Root));
        await firstLog.WaitForAsync(ZkClientState.Expired, Deadline);
        await Assert.ThrowsAsync<SessionExpiredException>(() => first.CreateAsync(P("late"), null));
        await Assert.ThrowsAsync<SessionExpiredException>(() => first.GetDataAsync(Root));
        Assert.Equal([ZkClientState.Connected, ZkClientState.Expired], await firstLog.SettledStatesAsync());
        Assert.Equal([ZkClientState.Connected, ZkClientState.Closed], await secondLog.SettledStatesAsync());
    }

    [Fact]
    public async Task ConnectAsync_resumes_a_session_in_a_new_Orleans_client()
    {
        await Zk.CreateAsync(P("owned"), null, mode: CreateMode.Ephemeral);
        await using var other = await ZkClient.ConnectAsync(Fixture.GatewayConnectString,
            new ZkClientOptions { SessionId = Zk.SessionId, SessionPassword = Zk.SessionPassword });
        Assert.Equal(ZkClientState.Connected, other.State);
        Assert.Equal(Zk.SessionId, other.SessionId);
        Assert.Equal(new[] { P("owned") }, await other.GetEphemeralsAsync(Root));
        var stat = await other.SetDataAsync(P("owned"), Bytes("from the new process"));
        Assert.Equal(Zk.SessionId, stat.EphemeralOwner);
    }

    [Fact]
    public async Task A_wrong_password_or_an_unknown_session_is_SessionExpired_and_harms_nothing()
    {
        await Zk.CreateAsync(P("kept"), null, mode: CreateMode.Ephemeral);
        var wrong = Zk.SessionPassword;
        wrong[0] ^= 0xff;

        var thief = NewClient(new ZkClientOptions { SessionId = Zk.SessionId, SessionPassword = wrong });
        var log = new StateLog(thief);
        await Assert.ThrowsAsync<SessionExpiredException>(() => thief.ConnectAsync());
        Assert.Equal(ZkClientState.Expired, thief.State);
        await Assert.ThrowsAsync<SessionExpiredException>(() => thief.ExistsAsync(Root));
        await Assert.ThrowsAsync<SessionExpiredException>(() => thief.CreateAsync(P("x"), null));
        Assert.Equal([ZkClientState.Expired], await log.SettledStatesAsync());
        var expired = Assert.Single(log.Events);
        Assert.Equal((ZkClientState.NotConnected, ZkClientState.Expired, 0L), (expired.PreviousState, expired.State, expired.SessionId));

        var unknown = NewClient(new ZkClientOptions { SessionId = 0x7fff_0000_0000_0001, SessionPassword = Zk.SessionPassword });
        await Assert.ThrowsAsync<SessionExpiredException>(() => unknown.ConnectAsync());

        // Through a connect string too (its own Orleans client is stopped again).
        await Assert.ThrowsAsync<SessionExpiredException>(() => ZkClient.ConnectAsync(Fixture.GatewayConnectString,
            new ZkClientOptions { SessionId = Zk.SessionId, SessionPassword = wrong }));

        Assert.Equal(ZkClientState.Connected, Zk.State);
        Assert.NotNull(await Zk.ExistsAsync(P("kept")));
    }

    [Fact]
    public async Task A_closed_session_cannot_be_resumed()
    {
        var owner = NewClient();
        await owner.ConnectAsync();
        var (id, password) = (owner.SessionId, owner.SessionPassword);
        await owner.CloseAsync();
        var late = NewClient(new ZkClientOptions { SessionId = id, SessionPassword = password });
        await Assert.ThrowsAsync<SessionExpiredException>(() => late.ConnectAsync());
    }

    [Fact]
    public void Resuming_needs_the_password()
    {
        Assert.Throws<BadArgumentsException>(() => Fixture.NewClient(new ZkClientOptions { SessionId = 42 }));
        Assert.Throws<BadArgumentsException>(() => Fixture.NewClient(new ZkClientOptions { SessionId = 42, SessionPassword = [] }));
    }

    [Fact]
    public async Task A_session_without_heartbeats_expires_and_its_client_reports_Expired_at_its_next_ping()
    {
        var owner = NewClient(new ZkClientOptions { SessionTimeoutMs = 1_000 });
        var log = new StateLog(owner);
        await owner.CreateAsync(P("e"), null, mode: CreateMode.Ephemeral);

        owner.HeartbeatsPaused = true;
        await Eventually(async () => await Zk.ExistsAsync(P("e")) == null, Deadline, "the unheartbeated session's ephemeral to go");
        Assert.Equal(ZkClientState.Connected, owner.State); // it has not heard yet

        owner.HeartbeatsPaused = false;
        await log.WaitForAsync(ZkClientState.Expired, Deadline);
        var e = await Assert.ThrowsAsync<SessionExpiredException>(() => owner.GetDataAsync(Root));
        Assert.Contains($"0x{owner.SessionId:x}", e.Detail);
        await Assert.ThrowsAsync<SessionExpiredException>(() => owner.CreateAsync(P("again"), null));
        Assert.Equal([ZkClientState.Connected, ZkClientState.Expired], await log.SettledStatesAsync());

        await owner.CloseAsync(); // sends nothing: the session is gone
        Assert.Equal([ZkClientState.Connected, ZkClientState.Expired, ZkClientState.Closed], await log.SettledStatesAsync());
    }

    [Fact]
    public async Task A_write_is_how_a_client_without_heartbeats_learns_its_session_expired()
    {
        var owner = NewClient(new ZkClientOptions { SessionTimeoutMs = 1_000 });
        var log = new StateLog(owner);
        await owner.CreateAsync(P("e"), null, mode: CreateMode.Ephemeral);

        owner.HeartbeatsPaused = true;
        await Eventually(async () => await Zk.ExistsAsync(P("e")) == null, Deadline, "the unheartbeated session's ephemeral to go");
        var pending = owner.CreateAsync(P("after"), null);
        await Assert.ThrowsAsync<SessionExpiredException>(() => pending);
        Assert.Equal(ZkClientState.Expired, owner.State);
        Assert.Equal([ZkClientState.Connected, ZkClientState.Expired], await log.SettledStatesAsync());
        Assert.Null(await Zk.ExistsAsync(P("after")));
    }

    [Fact]
    public async Task A_raw_session_lives_on_the_heartbeats_of_the_client_that_resumed_it_and_expires_without_them()
    {
        var password = RandomNumberGenerator.GetBytes(16);
        var raw = await Fixture.Cluster.Client.GetGrain<IZkReplicaGrain>(1).CreateSession(2_000, password);

        var client = NewClient(new ZkClientOptions { SessionId = raw.SessionId, SessionPassword = password });
        var log = new StateLog(client);
        await client.CreateAsync(P("e"), null, mode: CreateMode.Ephemeral);
        // 2.5 timeouts idle: only its pings keep the session.
        var clock = Stopwatch.StartNew();
        await Eventually(async () => clock.ElapsedMilliseconds > 5_000 && await Zk.ExistsAsync(P("e")) != null, Deadline,
            "2.5 idle timeouts with the ephemeral kept");
        // On a busy machine a ping of this short timeout can go unanswered for two thirds of it: the
        // client is Suspended for a moment and reconnects to the same session (the kept ephemeral
        // shows the session lived); an expiry would leave it Expired for good.
        await Eventually(() => Task.FromResult(client.State.IsConnected()), Deadline, "the client connected to its session");

        client.HeartbeatsPaused = true;
        await Eventually(async () => await Zk.ExistsAsync(P("e")) == null, Deadline, "the session to expire");
        client.HeartbeatsPaused = false;
        await log.WaitForAsync(ZkClientState.Expired, Deadline);

        // Gone for every client: it cannot be resumed any more.
        var late = NewClient(new ZkClientOptions { SessionId = raw.SessionId, SessionPassword = password });
        await Assert.ThrowsAsync<SessionExpiredException>(() => late.ConnectAsync());
    }
}
