using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans;

namespace OrleansZk.Client;

/// <summary>Registers a <see cref="ZkClient"/> in a host that already runs an Orleans client (or silo).</summary>
public static class ZkClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ZkClientOptions"/> (configurable with <paramref name="configure"/>) and a
    /// singleton <see cref="ZkClient"/> over the container's <see cref="IClusterClient"/>. The client
    /// opens its session on first use and closes it when the container is disposed. Also registers
    /// an Orleans <see cref="IClusterConnectionStatusObserver"/>, so that when the container's Orleans
    /// client loses a gateway connection every ZkClient over it fails its outstanding calls at once.
    /// </summary>
    public static IServiceCollection AddOrleansZkClient(this IServiceCollection services, Action<ZkClientOptions>? configure = null)
    {
        var options = services.AddOptions<ZkClientOptions>();
        if (configure != null) options.Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IClusterConnectionStatusObserver, ZkConnectionMonitor>());
        services.AddSingleton(sp => new ZkClient(sp.GetRequiredService<IClusterClient>(), sp.GetRequiredService<IOptions<ZkClientOptions>>().Value));
        return services;
    }
}
