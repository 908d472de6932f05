using OrleansZk.Recipes.Discovery;
using OrleansZk.Recipes.Locks;
using OrleansZk.Recipes.Tests.Support;

namespace OrleansZk.Recipes.Tests;

/// <summary>
/// Holders in other processes: one SIGSTOPped beyond its session timeout loses the lock (its Lost
/// has fired when it resumes, and its stale write is turned away); one SIGKILLed passes the lock on
/// within its session timeout and vanishes from discovery; a configuration change reaches its
/// IOptionsMonitor; instances registered by other processes appear, and vanish when those are
/// SIGKILLed, in the same order in every discovering client's cache, in this process and another.
/// </summary>
public sealed class ProcessTests(RecipeCluster cluster) : RecipeTest(cluster)
{
    private const int SessionMs = 2_000;

    private static readonly TimeSpan ChildStart = TimeSpan.FromSeconds(60);

    private ChildAgent StartAgent() => ChildAgent.Start("agent", Cluster.GatewayConnectString, SessionMs.ToString(), P("lock"), P("services"), P("config"));

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Zk.CreateAsync(P("config"), null);
        await Zk.CreateAsync(P("config/Db"), null);
        await Zk.CreateAsync(P("config/Db/Host"), Bytes("db1"));
    }

    [Fact]
    public async Task A_holder_paused_beyond_its_session_timeout_loses_the_lock_and_its_stale_write_is_rejected()
    {
        using var agent = StartAgent();
        var staleToken = long.Parse(await agent.WaitForAsync("token", Deadline));
        var store = new FencedResource();
        agent.Send("write");
        Assert.True(store.TryAdmit(long.Parse((await agent.WaitForAsync("write", Deadline)).Split(' ')[0])));

        agent.Stop();
        await using (var next = await new ZkMutex(NewClient(), P("lock")).AcquireAsync().Within(Deadline, "the lock after the holder's session expired"))
        {
            Assert.True(next.Token > staleToken);
            Assert.True(store.TryAdmit(next.Token));
            agent.Continue();
            await agent.WaitForAsync("lost", Deadline);
            agent.Send("write");
            var answer = (await agent.WaitForAsync("write", Deadline, occurrence: 2)).Split(' ');
            Assert.Equal("True", answer[1]); // the resumed holder knows at once that it lost the lock
            Assert.False(store.TryAdmit(long.Parse(answer[0])));
            Assert.Equal(1, store.Rejected);
        }
    }

    [Fact]
    public async Task A_holder_killed_passes_the_lock_on_within_its_session_timeout_and_vanishes_from_discovery()
    {
        var discovery = Own(new ZkServiceDiscovery(NewClient(), P("services"), "agents"));
        var seen = new EventLog<string>();
        discovery.Changed += (_, c) => seen.Add($"{c.Type} {c.Id}");
        await discovery.StartAsync();
        using var agent = StartAgent();
        await agent.WaitForAsync("token", Deadline);
        Assert.Equal("db1", await agent.WaitForAsync("config", Deadline));
        await seen.WaitUntilAsync(s => s.Contains("NodeAdded agent"), Deadline, () => string.Join(", ", seen.Items));

        // A configuration change reaches the other process's IOptionsMonitor.
        await Zk.SetDataAsync(P("config/Db/Host"), Bytes("db2"));
        Assert.Equal("db2", await agent.WaitForAsync("config", Deadline, occurrence: 2));

        var waiting = new ZkMutex(NewClient(), P("lock")).AcquireAsync();
        agent.Kill();
        // The session expires a timeout after its last heartbeat; the expiry scan and the watch add a moment.
        await using var next = await waiting.Within(TimeSpan.FromMilliseconds(SessionMs * 2 + 2_000), "the lock within the session timeout");
        await seen.WaitUntilAsync(s => s.Contains("NodeRemoved agent"), Deadline, () => string.Join(", ", seen.Items));
        Assert.Empty(discovery.Instances);
    }

    [Fact]
    public async Task Instances_of_killed_processes_appear_and_vanish_in_the_same_order_in_every_discovering_cache_in_every_process()
    {
        var basePath = P("registry");
        var caches = new List<(string Name, EventLog<string> Log)>();
        for (var i = 0; i < 2; i++)
        {
            var discovery = Own(new ZkServiceDiscovery(NewClient(), basePath, "workers"));
            var log = new EventLog<string>();
            discovery.Changed += (_, c) => log.Add($"{c.Type} {c.Id}");
            await discovery.StartAsync();
            caches.Add(($"local{i}", log));
        }
        var agents = new List<ChildAgent>();
        try
        {
            var watcher = ChildAgent.Start("discover", Cluster.GatewayConnectString, "10000", basePath, "workers");
            agents.Add(watcher);
            await watcher.WaitForAsync("change Initialized", ChildStart);
            var instances = new[] { "w1", "w2", "w3" }.Select(id => ChildAgent.Start("register", Cluster.GatewayConnectString, $"{SessionMs}", basePath, "workers", id)).ToList();
            agents.AddRange(instances);
            foreach (var instance in instances) await instance.WaitForAsync("registered", ChildStart);
            // The order the service registered them in (they started at once): their creation zxids.
            var registered = new List<(string Id, long Czxid)>();
            foreach (var id in new[] { "w1", "w2", "w3" }) registered.Add((id, (await Zk.GetDataAsync($"{basePath}/workers/{id}")).Stat.Czxid));
            var added = registered.OrderBy(r => r.Czxid).Select(r => $"NodeAdded {r.Id}").ToList();

            foreach (var instance in instances) instance.Kill();
            var all = caches.Append(("child", watcher.Lines)).ToList();
            foreach (var (name, log) in all)
                await log.WaitUntilAsync(l => l.Count(x => x.Contains("NodeRemoved", StringComparison.Ordinal)) == 3, Deadline + TimeSpan.FromMilliseconds(SessionMs),
                    () => $"{name}: {string.Join(", ", log.Items)}");

            // Every cache, in either process, saw the same changes in the same order: the registrations
            // in the order the service made them, then the three expiries.
            var reference = caches[0].Log.Items.ToList();
            Assert.Equal("Initialized ", reference[0]);
            Assert.Equal(added, reference.Where(x => x.StartsWith("NodeAdded", StringComparison.Ordinal)));
            Assert.Equal(["w1", "w2", "w3"], reference.Where(x => x.StartsWith("NodeRemoved", StringComparison.Ordinal)).Select(x => x.Split(' ')[1]).Order());
            Assert.Equal(reference, caches[1].Log.Items);
            Assert.Equal(reference, watcher.Lines.Items.Select(x => x["change ".Length..]));
        }
        finally
        {
            foreach (var a in agents) a.Dispose();
        }
    }
}
