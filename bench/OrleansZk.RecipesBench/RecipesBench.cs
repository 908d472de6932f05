using System.Diagnostics;
using System.Threading.Channels;
using OrleansZk.Client;
using OrleansZk.Recipes.Discovery;
using OrleansZk.Recipes.Leader;
using OrleansZk.Recipes.Locks;

namespace OrleansZk.RecipesBench;

/// <summary>
/// The workloads of bench/curator/RecipesBench.java through the recipe library; each client is a
/// <see cref="ZkClient"/> with its own Orleans client and session, as each CuratorFramework has its
/// own connection and session.
/// </summary>
/// <remarks>
/// <para><b>lock</b>: <see cref="ZkMutex"/> acquire + release, one client alone ("uncontended") and
/// C clients on one lock ("contended"); latency = acquire call to release return; ops/s over the
/// wall time.</para>
/// <para><b>leader</b>: three <see cref="ZkLeaderLatch"/> participants; the leader closes, latency =
/// close call to the next participant's LeadershipChanged(true); the closed one joins again at the back.</para>
/// <para><b>discovery</b>: <see cref="ZkServiceRegistry"/> registers (unregisters) an instance,
/// latency = the call to the change in another client's <see cref="ZkServiceDiscovery"/> cache.</para>
/// </remarks>
internal sealed class RecipesBench(string server, int lockOps, int[] contended, int handovers, int changes)
{
    private const int SessionTimeoutMs = 10_000;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    public async Task RunAsync(int runs)
    {
        var all = new List<Result>();
        for (var run = 1; run <= runs; run++)
        {
            foreach (var r in await RunOnceAsync(run))
            {
                Console.WriteLine(r.Line($"run={run}"));
                all.Add(r);
            }
        }
        Console.WriteLine();
        foreach (var r in Result.Medians(all)) Console.WriteLine(r.Line("stat=median"));
    }

    private async Task<List<Result>> RunOnceAsync(int run)
    {
        var root = $"/recipes-bench-{run}-{Guid.NewGuid().ToString("N")[..8]}";
        var results = new List<Result> { await LockAsync($"{root}/lock-u", 1, "uncontended") };
        foreach (var c in contended) results.Add(await LockAsync($"{root}/lock-c{c}", c, "contended"));
        results.Add(await LeaderAsync($"{root}/leader", 3));
        results.AddRange(await DiscoveryAsync($"{root}/services"));
        return results;
    }

    private Task<ZkClient> ConnectAsync() => ZkClient.ConnectAsync(server, new ZkClientOptions { SessionTimeoutMs = SessionTimeoutMs });

    private async Task<List<ZkClient>> ConnectAsync(int count)
    {
        var clients = new List<ZkClient>();
        for (var i = 0; i < count; i++) clients.Add(await ConnectAsync());
        return clients;
    }

    private static async Task CloseAsync(IEnumerable<ZkClient> clients)
    {
        foreach (var c in clients) await c.DisposeAsync();
    }

    private async Task<Result> LockAsync(string path, int clients, string mode)
    {
        var zks = await ConnectAsync(clients);
        try
        {
            var mutexes = zks.Select(zk => new ZkMutex(zk, path)).ToList();
            foreach (var m in mutexes)
                for (var i = 0; i < 5; i++) await (await m.AcquireAsync()).DisposeAsync(); // warm-up
            var per = lockOps / clients;
            var latencies = new long[per * clients];
            var start = Stopwatch.GetTimestamp();
            await Task.WhenAll(mutexes.Select((m, w) => Task.Run(async () =>
            {
                for (var i = 0; i < per; i++)
                {
                    var t0 = Stopwatch.GetTimestamp();
                    await (await m.AcquireAsync()).DisposeAsync();
                    latencies[w * per + i] = Stopwatch.GetTimestamp() - t0;
                }
            })));
            return Result.Of("lock", mode, clients, latencies, Stopwatch.GetTimestamp() - start);
        }
        finally
        {
            await CloseAsync(zks);
        }
    }

    private static ZkLeaderLatch Participant(ZkClient zk, string path, string id, ChannelWriter<(ZkLeaderLatch, long)> leads)
    {
        var latch = new ZkLeaderLatch(zk, path, id);
        latch.LeadershipChanged += (_, leading) =>
        {
            if (leading) leads.TryWrite((latch, Stopwatch.GetTimestamp()));
        };
        latch.Start();
        return latch;
    }

    private async Task<Result> LeaderAsync(string path, int participants)
    {
        var zks = await ConnectAsync(participants);
        var leads = Channel.CreateUnbounded<(ZkLeaderLatch Latch, long At)>();
        var latches = zks.Select((zk, i) => Participant(zk, path, $"p{i}", leads.Writer)).ToList();
        try
        {
            var current = await leads.Reader.ReadAsync().AsTask().WaitAsync(Wait);
            var latencies = new long[handovers];
            var start = Stopwatch.GetTimestamp();
            for (var h = 0; h < handovers; h++)
            {
                await AwaitParticipantsAsync(latches[0], participants);
                var index = latches.IndexOf(current.Latch);
                var t0 = Stopwatch.GetTimestamp();
                await current.Latch.DisposeAsync();
                var next = await leads.Reader.ReadAsync().AsTask().WaitAsync(Wait);
                latencies[h] = next.At - t0;
                latches[index] = Participant(zks[index], path, $"p{index}", leads.Writer);
                current = next;
            }
            return Result.Of("leader", "handover", participants, latencies, Stopwatch.GetTimestamp() - start);
        }
        finally
        {
            foreach (var l in latches) await l.DisposeAsync();
            await CloseAsync(zks);
        }
    }

    /// <summary>Until the election lists <paramref name="count"/> participants (polled, bounded; not measured).</summary>
    private static async Task AwaitParticipantsAsync(ZkLeaderLatch any, int count)
    {
        var deadline = Stopwatch.GetTimestamp() + Wait.TotalSeconds * Stopwatch.Frequency;
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(1));
        while ((await any.GetParticipantsAsync()).Count < count)
        {
            if (Stopwatch.GetTimestamp() > deadline) throw new TimeoutException($"{count} participants");
            await tick.WaitForNextTickAsync();
        }
    }

    private async Task<List<Result>> DiscoveryAsync(string basePath)
    {
        var host = await ConnectAsync();
        var watcher = await ConnectAsync();
        var events = Channel.CreateUnbounded<string>();
        await using var registry = new ZkServiceRegistry(host, basePath);
        await using var discovery = new ZkServiceDiscovery(watcher, basePath, "bench");
        discovery.Changed += (_, c) => events.Writer.TryWrite($"{c.Type} {c.Id}");
        try
        {
            await discovery.StartAsync();
            long[] added = new long[changes], removed = new long[changes];
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < changes; i++)
            {
                var instance = ServiceInstance.Create("bench", "127.0.0.1", 8000 + i, id: $"i{i}");
                var t0 = Stopwatch.GetTimestamp();
                await registry.RegisterAsync(instance);
                await ExpectAsync(events.Reader, $"NodeAdded i{i}");
                added[i] = Stopwatch.GetTimestamp() - t0;
                t0 = Stopwatch.GetTimestamp();
                await registry.UnregisterAsync(instance);
                await ExpectAsync(events.Reader, $"NodeRemoved i{i}");
                removed[i] = Stopwatch.GetTimestamp() - t0;
            }
            var elapsed = Stopwatch.GetTimestamp() - start;
            return [Result.Of("discovery", "register", 2, added, elapsed), Result.Of("discovery", "unregister", 2, removed, elapsed)];
        }
        finally
        {
            await CloseAsync([host, watcher]);
        }
    }

    private static async Task ExpectAsync(ChannelReader<string> events, string wanted)
    {
        while (await events.ReadAsync().AsTask().WaitAsync(Wait) != wanted)
        {
        }
    }
}
