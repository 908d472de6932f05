using OrleansZk.Recipes.Discovery;

namespace OrleansZk.Recipes.Tests.Child;

/// <summary>The registry's child modes: an instance that registers itself, and a discovering client in another process.</summary>
internal static class RegistryChild
{
    /// <summary><c>register gateway sessionMs basePath service id</c>: registers the instance <c>id</c>, says <c>registered</c>, and lives until killed.</summary>
    public static async Task<int> RegisterAsync(string gateway, int sessionMs, string basePath, string service, string id)
    {
        await using var host = await ChildHost.StartAsync(gateway, sessionMs);
        await using var registry = new ZkServiceRegistry(host.NewClient(), basePath);
        await registry.RegisterAsync(ServiceInstance.Create(service, "127.0.0.1", Environment.ProcessId, id: id));
        host.Say("registered");
        await ChildHost.ReadCommandsAsync(_ => Task.CompletedTask);
        return 0;
    }

    /// <summary><c>discover gateway sessionMs basePath service</c>: says <c>change TYPE ID</c> for every change its cache sees, in order.</summary>
    public static async Task<int> DiscoverAsync(string gateway, int sessionMs, string basePath, string service)
    {
        await using var host = await ChildHost.StartAsync(gateway, sessionMs);
        await using var discovery = new ZkServiceDiscovery(host.NewClient(), basePath, service);
        discovery.Changed += (_, c) => host.Say($"change {c.Type} {c.Id}");
        await discovery.StartAsync();
        await ChildHost.ReadCommandsAsync(_ => Task.CompletedTask);
        return 0;
    }
}
