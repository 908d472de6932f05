using Microsoft.Extensions.Configuration;
using OrleansZk.Recipes.Caches;
using OrleansZk.Recipes.Coordination;
using OrleansZk.Recipes.Discovery;
using OrleansZk.Recipes.Leader;
using OrleansZk.Recipes.Locks;
using OrleansZk.Recipes.Shared;
using OrleansZk.Recipes.Tests.Support;

namespace OrleansZk.Recipes.Tests;

/// <summary>Every recipe across a service restart (the replica's silo stopped and started) and a client reconnect.</summary>
public sealed class RestartTests(RecipeCluster cluster) : RecipeTest(cluster)
{
    [Fact]
    public async Task Every_recipe_carries_on_across_a_service_restart_and_a_client_reconnect()
    {
        // A 20 s session: its safe bound (10 s) outlasts the restart, so nothing held is lost.
        var zk = NewClient(sessionTimeoutMs: 20_000);
        var other = NewClient(sessionTimeoutMs: 20_000);
        await Zk.CreateAsync(P("config"), null);
        await Zk.CreateAsync(P("config/Mode"), Bytes("a"));

        var held = await new ZkMutex(zk, P("lock")).AcquireAsync();
        var latch = Own(new ZkLeaderLatch(zk, P("election"), "one"));
        latch.Start();
        var leadership = await latch.AwaitLeadershipAsync().Within(Deadline, "leadership");
        var registry = Own(new ZkServiceRegistry(zk, P("services")));
        await registry.RegisterAsync(ServiceInstance.Create("svc", "h", 1, id: "before"));
        var discovery = Own(new ZkServiceDiscovery(other, P("services"), "svc"));
        await discovery.StartAsync();
        var configuration = new ConfigurationBuilder().AddOrleansZk(other, P("config")).Build();
        var count = Own(new ZkSharedCount(other, P("count"), 0));
        await count.StartAsync();
        var tree = Own(new ZkTreeCache(other, P("services")));
        await tree.StartAsync();

        await Cluster.RestartServiceAsync();
        zk.SimulateConnectionLoss("test: reconnect after the restart");
        other.SimulateConnectionLoss("test: reconnect after the restart");

        Assert.False(held.IsLost, held.LostReason);
        Assert.True(latch.HasLeadership);
        Assert.False(leadership.IsLost);
        await registry.RegisterAsync(ServiceInstance.Create("svc", "h", 2, id: "after")).Within(Deadline, "a registration after the restart");
        await Waits.Until(() => discovery.Instances.Select(i => i.Id).Order().SequenceEqual(["after", "before"]), Deadline, "both instances discovered");
        await Waits.Until(() => tree.Current.Count == 4, Deadline, "the tree cache to see the new instance");
        await Zk.SetDataAsync(P("config/Mode"), Bytes("b"));
        await Waits.Until(() => configuration["Mode"] == "b", Deadline, "the configuration change");
        Assert.True(await count.TrySetCountAsync(count.Current, 5));
        await Waits.Until(() => count.Count == 5, Deadline, "the shared count");
        var queue = new ZkQueue(other, P("queue"));
        await queue.EnqueueAsync(Bytes("q"));
        Assert.Equal("q", Text(await new ZkQueue(zk, P("queue")).DequeueAsync().Within(Deadline, "the queued item")));
        Assert.Equal(1, (await new ZkAtomicLong(zk, P("n")).IncrementAsync()).PostValue);

        var waiting = new ZkMutex(other, P("lock")).AcquireAsync();
        await held.DisposeAsync();
        await using var next = await waiting.Within(Deadline, "the lock to pass on");
        Assert.True(next.Token > held.Token);
        (configuration as IDisposable)?.Dispose();
    }
}
