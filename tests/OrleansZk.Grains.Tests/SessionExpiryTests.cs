using System.Diagnostics;
using OrleansZk.Core;

namespace OrleansZk.Grains.Tests;

/// <summary>Session timeouts on the replica: expiry closes the session (ephemerals go), heartbeats keep it, a password resumes it.</summary>
[Collection(SingleSiloCollection.Name)]
public sealed class SessionExpiryTests(SingleSiloCluster fixture)
{
    private const int TimeoutMs = 2000;
    private IGrainFactory Grains => fixture.Cluster.Client;
    private IZkReplicaGrain Replica => Grains.GetGrain<IZkReplicaGrain>(1);

    private Task<ReadReply> Exists(SessionInfo s, string path, long minZxid) =>
        Grains.GetGrain<IZkPartitionGrain>(PathHash.PartitionOf(path, s.Service.Partitions))
            .Read(new ReadCall(ReadKind.Exists, path, s.SessionId, 0, minZxid));

    private async Task<(SessionInfo Session, string Ephemeral, long Zxid, Stopwatch Since)> SessionWithEphemeral()
    {
        var since = Stopwatch.StartNew();
        var s = await Replica.CreateSession(TimeoutMs, [9, 9]);
        Assert.Equal(TimeoutMs, s.TimeoutMs);
        var path = "/eph-" + Guid.NewGuid().ToString("N");
        var created = await Replica.Submit(s.SessionId, 1, new CreateRequest(path, null, [Acl.OpenUnsafe], CreateMode.Ephemeral));
        Assert.Equal(ZkErrorCode.Ok, created.Code);
        return (s, path, created.Zxid, since);
    }

    [Fact]
    public async Task A_session_without_heartbeats_expires_and_its_ephemerals_go_with_it()
    {
        var (s, path, zxid, since) = await SessionWithEphemeral();
        await Eventually.Until(() => Exists(s, path, zxid), r => r.Stat == null, TimeSpan.FromSeconds(20), "the ephemeral to go");
        // Never before the timeout: the deadline is the last touch (the create) plus the timeout.
        Assert.True(since.ElapsedMilliseconds >= TimeoutMs, $"gone after {since.ElapsedMilliseconds} ms");
        Assert.Equal(ZkErrorCode.SessionExpired, (await Replica.Ping(s.SessionId)).Code);
        Assert.Equal(ZkErrorCode.SessionExpired, (await Replica.Submit(s.SessionId, 2, new CreateRequest(path, null, [Acl.OpenUnsafe], CreateMode.Persistent))).Code);
        Assert.Null(await Replica.ResumeSession(s.SessionId, s.Password));
    }

    [Fact]
    public async Task Heartbeats_keep_a_session_alive_well_past_its_timeout()
    {
        var (s, path, zxid, _) = await SessionWithEphemeral();
        var alive = Stopwatch.StartNew();
        while (alive.ElapsedMilliseconds < 5 * TimeoutMs / 2)
        {
            Assert.Equal(ZkErrorCode.Ok, (await Replica.Ping(s.SessionId)).Code);
            await Task.Delay(TimeoutMs / 20);   // the heartbeat's pace: a stall of most of a timeout is tolerated
        }
        Assert.NotNull((await Exists(s, path, zxid)).Stat);
        // Stop beating: it expires.
        await Eventually.Until(() => Exists(s, path, zxid), r => r.Stat == null, TimeSpan.FromSeconds(20), "the ephemeral to go");
    }

    [Fact]
    public async Task A_new_client_resumes_a_session_with_its_password_and_numbers_its_requests_afresh()
    {
        var s = await Replica.CreateSession(30_000, [1, 2, 3, 4]);
        Assert.Equal(ZkErrorCode.Ok, (await Replica.Submit(s.SessionId, 1, new CreateRequest("/resume-" + s.SessionId, null, [Acl.OpenUnsafe], CreateMode.Ephemeral))).Code);
        Assert.Null(await Replica.ResumeSession(s.SessionId, [1, 2, 3, 5]));
        Assert.Null(await Replica.ResumeSession(s.SessionId + 1_000_000, s.Password));

        var resumed = await Replica.ResumeSession(s.SessionId, s.Password);
        Assert.NotNull(resumed);
        Assert.Equal((s.SessionId, 30_000), (resumed!.SessionId, resumed.TimeoutMs));
        var owned = await Replica.GetEphemerals(s.SessionId, "/");
        Assert.Equal(["/resume-" + s.SessionId], owned);
        Assert.Equal(ZkErrorCode.Ok, (await Replica.Submit(s.SessionId, 1, new SetDataRequest("/resume-" + s.SessionId, [1]))).Code);
        Assert.Equal(ZkErrorCode.Ok, (await Replica.Submit(s.SessionId, 2, new CloseSessionRequest())).Code);
    }
}
