using OrleansZk.Client;
using OrleansZk.Core;
using OrleansZk.Service.Tests;

namespace OrleansZk.Silo.Tests;

/// <summary>
/// Watches across a real silo crash: the replica restarts and leads a new epoch (its events are
/// numbered afresh), the partitions are reloaded without their registrations, and the client that
/// reconnects re-registers with its last zxid — a change it missed while the service was down fires
/// at once.
/// </summary>
public sealed class WatchRestartTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly SiloRunner _runner = new();

    public void Dispose() => _runner.Dispose();

    [Fact]
    public async Task After_a_SIGKILL_and_restart_the_client_re_registers_and_gets_what_it_missed_then_live_events()
    {
        var data = Path.Combine(_runner.Root, "data");
        var (silo, ready) = await _runner.StartAsync(data);
        var ports = (ready.SiloPort, ready.GatewayPort);
        var zk = await ZkClient.ConnectAsync(ready.Gateway, new ZkClientOptions { SessionTimeoutMs = 30_000, RequestTimeout = TimeSpan.FromSeconds(60) });
        ZkClient? observer = null;
        var rec = new WatchRecorder();

        try
        {
            var log = new StateLog(zk);
            await zk.CreateAsync("/w", null);
            await zk.CreateAsync("/w/x", "0"u8.ToArray());
            await zk.GetDataAsync("/w/x", rec.Watcher);
            await zk.AddWatchAsync("/w", rec.Watcher, AddWatchMode.PersistentRecursive);

            silo.KillHard();
            await silo.WaitExitAsync();
            await log.WaitForAsync(ZkClientState.Suspended, Deadline);
            var (_, again) = await _runner.StartAsync(data, ports);

            // A change while the client has not reconnected yet: its watches are not registered anywhere.
            observer = await _runner.ConnectAsync(again);
            await observer.SetDataAsync("/w/x", "missed"u8.ToArray());

            await log.WaitForAsync(ZkClientState.Reconnected, Deadline);
            await rec.WaitForAsync("NodeDataChanged /w/x", Deadline);

            // Live events again, in the new epoch.
            await observer.CreateAsync("/w/y", null);
            await rec.WaitForAsync("NodeCreated /w/y", Deadline);
            await zk.SyncAsync("/");
            // The one-shot and the recursive watch share the watcher, which hears of the change once.
            // (The recursive watch replays it from the reloaded partition's history when that history
            // starts at or before the client's last zxid; when the partition was reloaded later than
            // that, it says HistoryTrimmed instead — once.)
            Assert.Equal(1, rec.Seen.Count(e => e == "NodeDataChanged /w/x"));
            Assert.True(rec.Seen.Count(e => e == "HistoryTrimmed /w") <= 1, string.Join(", ", rec.Seen));
            Assert.Equal(1, rec.Seen.Count(e => e == "NodeCreated /w/y"));
        }
        finally
        {
            await SiloRunner.CloseQuietlyAsync(zk);
            if (observer != null) await SiloRunner.CloseQuietlyAsync(observer);
        }
    }
}
