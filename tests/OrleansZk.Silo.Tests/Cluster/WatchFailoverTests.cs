using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansZk.Client;
using OrleansZk.Core;
using OrleansZk.Service.Tests;
using Xunit.Abstractions;

namespace OrleansZk.Silo.Tests.Cluster;

/// <summary>
/// Watch registrations are soft state in the partition grains, and events are pushed to the
/// client's observer: a watch whose partition lived on a silo that is SIGKILLed keeps delivering.
/// The partition comes back on a survivor without its registrations; the leader counts the lost
/// activation, the watching client (connected through a silo that stays up, with nothing telling it
/// anything happened) sees the count move in a ping and re-registers, and the change made after the
/// kill reaches it (as HistoryTrimmed when the write landed before the re-registration: the rebuilt
/// partition has no history to replay it from), and so does the next one.
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
    public async Task A_watch_whose_partition_lived_on_a_killed_silo_keeps_delivering(DbKind kind)
    {
        var data = _runner.NewDirectory("data");
        var cluster = new SiloCluster(_runner, await ClusterDatabase.CreateAsync(kind, data, postgres), data);
        var first = await cluster.StartAsync(replicaId: 0);
        var replica = await cluster.StartAsync(replicaId: 1);
        var third = await cluster.StartAsync(replicaId: 0);
        var writer = await cluster.ConnectAsync(SiloCluster.Gateways(first, replica, third));
        await writer.CreateAsync("/w", null);
        var paths = Enumerable.Range(0, 48).Select(i => $"/w/{i}").ToList();
        foreach (var path in paths) await writer.CreateAsync(path, null);
        await using var inspector = await ClusterInspector.ConnectAsync(replica);

        // A path whose partition is active on a silo other than the replica's.
        var partitions = (await inspector.ActivationsAsync("ZkPartitionGrain"))
            .ToDictionary(a => int.Parse(a.Key, System.Globalization.NumberStyles.HexNumber), a => a.SiloPort);
        var candidates = new[] { first, third };
        var (watched, killed) = paths
            .Select(p => (Path: p, Victim: candidates.FirstOrDefault(m => partitions.TryGetValue(PathHash.PartitionOf(p, 64), out var port) && port == m.Ready.SiloPort)))
            .FirstOrDefault(x => x.Victim is not null);
        Assert.True(killed is not null, $"none of {paths.Count} paths has its partition on a silo other than the replica's");

        // The watcher connects through the replica's silo, which stays up.
        using var host = new HostBuilder().ConfigureServices(s => s.AddOrleansZkClient(replica.Ready.Gateway)).Build();
        await host.StartAsync();
        await using var watcher = new ZkClient(host.Services.GetRequiredService<Orleans.IClusterClient>(), new ZkClientOptions { SessionTimeoutMs = 30_000 });
        var recorder = new WatchRecorder();
        await watcher.AddWatchAsync(watched!, recorder.Watcher, AddWatchMode.Persistent);
        await writer.SetDataAsync(watched!, Encoding.UTF8.GetBytes("armed"));
        await recorder.WaitForAsync("NodeDataChanged " + watched, Deadline);

        var generation = await cluster.ActiveGenerationAsync(killed!);
        await cluster.KillAndWaitDeadAsync(killed!, generation);
        var changed = await SiloCluster.UntilServedAsync(() => writer.SetDataAsync(watched!, Encoding.UTF8.GetBytes("after the kill")), Deadline, "write");
        // The change reaches the watcher: as itself, or as HistoryTrimmed when it came before the
        // re-registration (the rebuilt partition has no history to replay it from).
        await recorder.WaitForAsync(e => e.Path == watched && (e.Zxid == changed.Mzxid || e.Type == WatchEventType.HistoryTrimmed),
            Deadline, "the change after the kill");
        // And the watch is registered again: the next change comes as itself.
        var next = await writer.SetDataAsync(watched!, Encoding.UTF8.GetBytes("and then"));
        await recorder.WaitForAsync(e => e.Type == WatchEventType.NodeDataChanged && e.Path == watched && e.Zxid == next.Mzxid,
            Deadline, "the next change");
        Assert.Equal(ZkClientState.Connected, watcher.State);
        output.WriteLine($"{kind}: {watched} (partition {PathHash.PartitionOf(watched!, 64)}) on the killed silo; events {string.Join(", ", recorder.Seen)}");
    }
}
