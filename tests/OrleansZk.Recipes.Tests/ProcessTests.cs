using OrleansZk.Recipes.Discovery;
using OrleansZk.Recipes.Locks;
using OrleansZk.Recipes.Tests.Support;

namespace OrleansZk.Recipes.Tests;

/// <summary>
/// Holders in other processes: one SIGSTOPped beyond its session timeout loses the lock (its Lost
/// has fired when it resumes, and its stale write is turned away); one SIGKILLed passes the lock on
/// within its session timeout and vanishes from discovery; a configuration change reaches its
/// IOptionsMonitor.
/// </summary>
public sealed class ProcessTests(RecipeCluster cluster) : RecipeTest(cluster)
{
    private const int SessionMs = 2_000;

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
}
