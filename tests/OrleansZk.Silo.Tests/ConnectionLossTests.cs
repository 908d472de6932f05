using System.Diagnostics;
using OrleansZk.Client;
using OrleansZk.Core;
using Xunit.Abstractions;
using OrleansZk.Service.Tests;

namespace OrleansZk.Silo.Tests;

/// <summary>
/// The SDK against a real silo process that goes away and comes back within the session timeout:
/// the client goes Suspended, fails its outstanding calls at once (not at the request timeout),
/// and is Reconnected with the same session, its ephemerals intact and its later writes working.
/// </summary>
public sealed class ConnectionLossTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly SiloRunner _runner = new();

    public void Dispose() => _runner.Dispose();

    [Fact]
    public async Task The_silo_killed_and_restarted_within_the_timeout_the_client_fails_fast_and_reconnects_with_its_session()
    {
        var data = Path.Combine(_runner.Root, "data");
        var (silo, ready) = await _runner.StartAsync(data);
        var ports = (ready.SiloPort, ready.GatewayPort);
        var zk = await ZkClient.ConnectAsync(ready.Gateway, new ZkClientOptions { SessionTimeoutMs = 30_000, RequestTimeout = RequestTimeout });
        try
        {
            var log = new StateLog(zk);
            await zk.CreateAsync("/app", null);
            await zk.CreateAsync("/app/member", "me"u8.ToArray(), mode: CreateMode.Ephemeral);
            var session = zk.SessionId;

            // Frozen first, so that these calls are certainly outstanding when the process dies.
            await silo.PauseAsync();
            Task[] outstanding =
            [
                zk.CreateAsync("/app/w", null),
                zk.SetDataAsync("/app/member", "later"u8.ToArray()),
                zk.CreateAsync("/app/s-", null, mode: CreateMode.PersistentSequential),
                zk.GetDataAsync("/app/member"),
            ];
            Assert.DoesNotContain(outstanding, t => t.IsCompleted);
            silo.KillHard();
            var clock = Stopwatch.StartNew();
            foreach (var call in outstanding) await Assert.ThrowsAsync<ConnectionLossException>(() => call.WaitAsync(Deadline));
            var failedAfter = clock.Elapsed;
            output.WriteLine($"outstanding calls failed {failedAfter.TotalMilliseconds:0} ms after the SIGKILL (request timeout {RequestTimeout.TotalSeconds:0} s)");
            Assert.True(failedAfter < TimeSpan.FromSeconds(10), $"the calls failed only after {failedAfter}");
            await log.WaitForAsync(ZkClientState.Suspended, Deadline);
            Assert.Equal(137, await silo.WaitExitAsync());

            // While the service is down, calls fail fast as well.
            await Assert.ThrowsAsync<ConnectionLossException>(() => zk.ExistsAsync("/app").WaitAsync(Deadline));

            // The same data directory and ports: the replica recovers the session and gives it a
            // full timeout from its restart; the client's probes find it.
            clock.Restart();
            var (_, again) = await _runner.StartAsync(data, ports);
            var restartedAfter = clock.Elapsed;
            await log.WaitForAsync(ZkClientState.Reconnected, Deadline);
            output.WriteLine($"silo ready {restartedAfter.TotalMilliseconds:0} ms after the restart began; client reconnected {clock.ElapsedMilliseconds - restartedAfter.TotalMilliseconds:0} ms later");
            Assert.Equal(session, zk.SessionId);
            Assert.Equal(new[] { "/app/member" }, await zk.GetEphemeralsAsync("/app"));
            var member = await zk.GetDataAsync("/app/member");
            Assert.Equal(session, member.Stat.EphemeralOwner);

            // Later writes of the same client go through, pipelined, in order.
            var writes = Enumerable.Range(0, 20).Select(i => zk.CreateAsync("/app/after-", null, mode: CreateMode.PersistentSequential)).ToList();
            var names = await Task.WhenAll(writes).WaitAsync(Deadline);
            Assert.Equal(names.Order(StringComparer.Ordinal), names);
            await zk.SetDataAsync("/app/member", "again"u8.ToArray()).WaitAsync(Deadline);

            // (Connected came before the client was returned, so before the log subscribed.)
            Assert.Equal([ZkClientState.Suspended, ZkClientState.Reconnected], await log.SettledStatesAsync());
            log.AssertChained();

            // Another client sees the session's node, and sees it go with the session's close.
            var observer = await _runner.ConnectAsync(again);
            Assert.Equal("again", System.Text.Encoding.UTF8.GetString((await observer.GetDataAsync("/app/member")).Data!));
            await zk.CloseAsync();
            await observer.SyncAsync("/app");
            Assert.Null(await observer.ExistsAsync("/app/member"));
        }
        finally
        {
            await SiloRunner.CloseQuietlyAsync(zk);
        }
    }

    [Fact]
    public async Task A_frozen_silo_is_noticed_by_unanswered_pings_and_the_client_reconnects_when_it_resumes()
    {
        var data = Path.Combine(_runner.Root, "data");
        var (silo, ready) = await _runner.StartAsync(data);
        // 12 s: no reply for two thirds of it (8 s) suspends the client, 4 s before the replica
        // would expire the session.
        var zk = await ZkClient.ConnectAsync(ready.Gateway, new ZkClientOptions { SessionTimeoutMs = 12_000, RequestTimeout = RequestTimeout });
        var frozen = false;
        try
        {
            var log = new StateLog(zk);
            await zk.CreateAsync("/f", null);
            await zk.CreateAsync("/f/member", null, mode: CreateMode.Ephemeral);
            var session = zk.SessionId;

            // The connection stays open (no gateway notification): only the pings can tell.
            frozen = true;
            await silo.PauseAsync();
            var clock = Stopwatch.StartNew();
            Task[] outstanding = [zk.CreateAsync("/f/w", null), zk.GetChildrenAsync("/f")];
            await log.WaitForAsync(ZkClientState.Suspended, Deadline);
            var suspendedAfter = clock.Elapsed;
            silo.Resume();
            frozen = false;
            output.WriteLine($"suspended {suspendedAfter.TotalMilliseconds:0} ms after the freeze");
            foreach (var call in outstanding)
            {
                var e = await Assert.ThrowsAsync<ConnectionLossException>(() => call.WaitAsync(Deadline));
                Assert.Contains("no reply", e.Detail);
            }
            Assert.True(suspendedAfter < TimeSpan.FromSeconds(10), $"suspended only after {suspendedAfter}");

            await log.WaitForAsync(ZkClientState.Reconnected, Deadline);
            Assert.Equal(session, zk.SessionId);
            Assert.Equal(new[] { "/f/member" }, await zk.GetEphemeralsAsync("/f"));
            var names = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => zk.CreateAsync("/f/s-", null, mode: CreateMode.PersistentSequential))).WaitAsync(Deadline);
            Assert.Equal(names.Order(StringComparer.Ordinal), names);
            Assert.Equal([ZkClientState.Suspended, ZkClientState.Reconnected], await log.SettledStatesAsync());
            log.AssertChained();
        }
        finally
        {
            if (frozen) silo.Resume();
            await SiloRunner.CloseQuietlyAsync(zk);
        }
    }
}
