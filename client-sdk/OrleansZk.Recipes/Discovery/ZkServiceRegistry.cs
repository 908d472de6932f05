using OrleansZk.Core;
using OrleansZk.Recipes.Nodes;

namespace OrleansZk.Recipes.Discovery;

/// <summary>
/// Registers this process's service instances (Curator's ServiceDiscovery, registering side):
/// each is an ephemeral node <c>{basePath}/{name}/{id}</c> holding the instance as JSON, kept by a
/// <see cref="ZkPersistentNode"/> — re-created if deleted and, after the session expires, on the new
/// session. An instance that is not unregistered goes when its process's session ends.
/// </summary>
public sealed class ZkServiceRegistry : IAsyncDisposable
{
    private readonly ZkSessionSource _source;
    private readonly Dictionary<string, ZkPersistentNode> _registered = [];
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>A registry under <paramref name="basePath"/> (e.g. "/services").</summary>
    /// <exception cref="BadArgumentsException">An invalid path.</exception>
    public ZkServiceRegistry(ZkSessionSource source, string basePath)
    {
        _source = source ?? throw new ArgumentNullException(nameof(source));
        BasePath = ZkPaths.Validate(basePath, "registry path");
    }

    /// <summary>Where services are registered.</summary>
    public string BasePath { get; }

    /// <summary>The node of an instance.</summary>
    public string PathOf(ServiceInstance instance) => ZkPaths.Join(ZkPaths.Join(BasePath, instance.Name), instance.Id);

    /// <summary>Registers <paramref name="instance"/> and waits until its node exists.</summary>
    /// <exception cref="InvalidOperationException">An instance with this id is already registered here.</exception>
    public async Task RegisterAsync(ServiceInstance instance, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var path = PathOf(instance);
        ZkPersistentNode node;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_registered.ContainsKey(path)) throw new InvalidOperationException($"instance {instance.Id} of {instance.Name} is already registered");
            node = new ZkPersistentNode(_source, path, instance.ToJson(), CreateMode.Ephemeral);
            _registered[path] = node;
            node.Start();
        }
        finally
        {
            _gate.Release();
        }
        await node.WaitForInitialCreateAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Replaces a registered instance's data (same name and id), e.g. a changed payload.</summary>
    /// <exception cref="InvalidOperationException">It is not registered here.</exception>
    public async Task UpdateAsync(ServiceInstance instance, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ZkPersistentNode? node;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            _registered.TryGetValue(PathOf(instance), out node);
        }
        finally
        {
            _gate.Release();
        }
        if (node == null) throw new InvalidOperationException($"instance {instance.Id} of {instance.Name} is not registered");
        await node.SetDataAsync(instance.ToJson(), ct).ConfigureAwait(false);
    }

    /// <summary>Unregisters an instance (deletes its node; at <paramref name="ct"/> it stops trying and the node goes with the session); nothing if it is not registered here.</summary>
    public async Task UnregisterAsync(ServiceInstance instance, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ZkPersistentNode? node;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_registered.Remove(PathOf(instance), out node)) { }
        }
        finally
        {
            _gate.Release();
        }
        if (node != null) await node.StopAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Unregisters every instance.</summary>
    public async ValueTask DisposeAsync()
    {
        List<ZkPersistentNode> nodes;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            nodes = [.. _registered.Values];
            _registered.Clear();
        }
        finally
        {
            _gate.Release();
        }
        foreach (var node in nodes) await node.DisposeAsync().ConfigureAwait(false);
    }
}
