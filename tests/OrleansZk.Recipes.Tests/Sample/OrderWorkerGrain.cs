using OrleansZk.Recipes.Coordination;
using OrleansZk.Recipes.Discovery;
using OrleansZk.Recipes.Locks;

namespace OrleansZk.Recipes.Tests.Sample;

/// <summary>A sample application grain that uses the recipes: it registers itself as a service instance and takes a lock per order.</summary>
public interface IOrderWorkerGrain : IGrainWithStringKey
{
    /// <summary>Processes an order under its lock: waits (holding it) until the barrier at <paramref name="gate"/> is removed, then returns the lock's fencing token.</summary>
    Task<long> ProcessAsync(string orderId, string gate);

    /// <summary>Where this worker's locks and registration live.</summary>
    Task<string> RootAsync();
}

/// <summary>
/// An ordinary, non-reentrant grain: the recipes' waits (a lock's predecessor watch, a barrier)
/// never need the grain's scheduler to make progress, so awaiting them inside a grain call
/// cannot deadlock it. The session comes from the silo's container (<c>AddOrleansZkRecipes</c>).
/// </summary>
public sealed class OrderWorkerGrain(ZkSessionSource zk) : Grain, IOrderWorkerGrain
{
    private ZkServiceRegistry? _registry;
    private ServiceInstance? _instance;

    private string Root => "/sample-" + this.GetPrimaryKeyString().Split('@')[1];

    private string Name => this.GetPrimaryKeyString().Split('@')[0];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _registry = new ZkServiceRegistry(zk, Root + "/services");
        _instance = ServiceInstance.Create("order-workers", "silo", 0, id: Name);
        await _registry.RegisterAsync(_instance, cancellationToken);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_registry != null) await _registry.UnregisterAsync(_instance!, cancellationToken);
    }

    public async Task<long> ProcessAsync(string orderId, string gate)
    {
        await using var held = await new ZkMutex(zk, $"{Root}/locks/{orderId}").AcquireAsync();
        await new ZkBarrier(zk, gate).WaitAsync();
        held.ThrowIfLost();
        return held.Token;
    }

    public Task<string> RootAsync() => Task.FromResult(Root);
}
