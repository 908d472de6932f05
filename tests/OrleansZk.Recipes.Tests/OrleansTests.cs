using OrleansZk.Recipes.Coordination;
using OrleansZk.Recipes.Discovery;
using OrleansZk.Recipes.Locks;
using OrleansZk.Recipes.Tests.Sample;
using OrleansZk.Recipes.Tests.Support;

namespace OrleansZk.Recipes.Tests;

/// <summary>
/// Recipes from inside Orleans: sample grains on the silos of an application's TestingHost cluster
/// (with OrleansZk in it through <c>AddOrleansZk</c> on the test cluster builder) register
/// themselves and contend for a lock; non-reentrant grains waiting on recipes do not deadlock.
/// </summary>
public sealed class OrleansTests(RecipeCluster cluster) : RecipeTest(cluster)
{
    [Fact]
    public async Task Grains_register_themselves_and_take_turns_on_a_lock_without_deadlocking()
    {
        var run = Root[3..];
        var gate = P("gate");
        var barrier = new ZkBarrier(Zk, gate);
        await barrier.SetAsync();
        var a = Cluster.Client.GetGrain<IOrderWorkerGrain>($"a@{run}");
        var b = Cluster.Client.GetGrain<IOrderWorkerGrain>($"b@{run}");
        var root = await a.RootAsync();
        await b.RootAsync();

        var discovery = Own(new ZkServiceDiscovery(NewClient(), root + "/services", "order-workers"));
        await discovery.StartAsync();
        Assert.Equal(["a", "b"], discovery.Instances.Select(i => i.Id).Order());

        // Both process order 42: one holds the lock and waits at the barrier, the other waits for the lock.
        var first = a.ProcessAsync("42", gate);
        var second = b.ProcessAsync("42", gate);
        var locks = new ZkMutex(Zk, root + "/locks/42");
        await Waits.Until(async () => (await locks.GetParticipantNodesAsync()).Count == 2, Deadline, "a holder and a waiter");
        // A non-reentrant grain busy waiting on a recipe still serves nothing else meanwhile; the
        // recipe needs nothing from it to go on.
        await barrier.RemoveAsync();
        var tokens = await Task.WhenAll(first, second).Within(Deadline, "both grains to finish");
        Assert.NotEqual(tokens[0], tokens[1]);
        Assert.Empty(await locks.GetParticipantNodesAsync());
    }
}
