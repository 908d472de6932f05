using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansZk.Client;
using OrleansZk.Core;
using OrleansZk.Service.Tests;
using Xunit.Abstractions;

namespace OrleansZk.Silo.Tests.Cluster;

/// <summary>
/// A watch's stream subscriptions live in the database (the <c>PubSubStore</c> grain storage), so a
/// watch whose pub-sub grain was on a silo that is SIGKILLed keeps delivering: the grain comes back
/// on a survivor with the subscriptions it had. The watching client is connected through a silo
/// that stays up (registered with <c>AddOrleansZkClient(connectString)</c>), so nothing tells it
/// anything happened: it does nothing.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class WatchFailoverTests(PostgresFixture postgres, ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly SiloRunner _runner = new();

    public void Dispose() => _runner.Dispose();

    [Theory]
    [InlineData(DbKind.Sqlite)]
    [InlineData(DbKind.Postgres)]
    public async Task A_watch_whose_pub_sub_state_lived_on_a_killed_silo_keeps_delivering(DbKind kind)
    {
        var data = _runner.NewDirectory("data");
        var cluster = new SiloCluster(_runner, await ClusterDatabase.CreateAsync(kind, data, postgres), data);
        var first = await cluster.StartAsync(replicaId: 0);
        var replica = await cluster.StartAsync(replicaId: 1);
        var third = await cluster.StartAsync(replicaId: 0);
        var writer = await cluster.ConnectAsync(SiloCluster.Gateways(first, replica, third));
        await writer.CreateAsync("/w", null);
        await using var inspector = await ClusterInspector.ConnectAsync(replica);

        // Watchers through the replica's gateway (sessions sharing one Orleans client, registered
        // with AddOrleansZkClient) until one's pub-sub grain is on another silo: placement decides,
        // and prefers the silo the call came through, so it takes a number of streams.
        using var host = new HostBuilder().ConfigureServices(s => s.AddOrleansZkClient(replica.Ready.Gateway)).Build();
        await host.StartAsync();
        var orleans = host.Services.GetRequiredService<Orleans.IClusterClient>();
        (ZkClient Client, WatchRecorder Events, string Path, Member Victim)? found = null;
        for (var batch = 0; batch < 8 && found is null; batch++)
        {
            var armed = await Task.WhenAll(Enumerable.Range(batch * 10, 10).Select(async i =>
            {
                var client = new ZkClient(orleans, new ZkClientOptions { SessionTimeoutMs = 30_000 });
                var events = new WatchRecorder();
                var path = $"/w/{i}";
                await writer.CreateAsync(path, null);
                await client.AddWatchAsync(path, events.Watcher, AddWatchMode.Persistent);
                await writer.SetDataAsync(path, Encoding.UTF8.GetBytes("armed"));
                await events.WaitForAsync("NodeDataChanged " + path, Deadline);
                return (Client: client, Events: events, Path: path);
            }));
            var pubSub = await inspector.ActivationsAsync("PubSubRendezvous");
            foreach (var (client, events, path) in armed)
            {
                var home = pubSub.FirstOrDefault(a => a.Key.EndsWith($"/{client.SessionId}", StringComparison.Ordinal));
                var victim = new[] { first, third }.FirstOrDefault(m => m.Ready.SiloPort == home?.SiloPort);
                if (victim is not null) found ??= (client, events, path, victim);
            }
            output.WriteLine($"batch {batch}: pub-sub grains on silo ports {string.Join(", ", pubSub.GroupBy(a => a.SiloPort).Select(g => $"{g.Key} x{g.Count()}"))}");
        }
        Assert.True(found is not null, "no watcher's pub-sub grain landed on a silo other than the replica's in 80 tries");
        var (watcher, recorder, watched, killed) = found.Value;
        Assert.True(Convert.ToInt64(await cluster.Database.ScalarAsync("SELECT COUNT(*) FROM OrleansStorage WHERE PayloadBinary IS NOT NULL")) > 0,
            "the pub-sub states are in the database");

        var generation = await cluster.ActiveGenerationAsync(killed);
        await cluster.KillAndWaitDeadAsync(killed, generation);
        await SiloCluster.UntilServedAsync(() => writer.SetDataAsync(watched, Encoding.UTF8.GetBytes("after the kill")), Deadline, "write");
        await recorder.WaitForAsync(e => e.Type == WatchEventType.NodeDataChanged && e.Path == watched && recorder.Events.Count(x => x.Path == watched) >= 2,
            Deadline, "the change after the kill");
        Assert.Equal(ZkClientState.Connected, watcher.State);
        output.WriteLine($"{kind}: events {string.Join(", ", recorder.Seen)}");
    }
}
