using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Hosting;

namespace OrleansZk.Client;

/// <summary>Registers a <see cref="ZkClient"/> in a host.</summary>
public static class ZkClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ZkClientOptions"/> (configurable with <paramref name="configure"/>) and a
    /// singleton <see cref="ZkClient"/> over the container's <see cref="IClusterClient"/>, which the
    /// host already runs (an Orleans client or silo). The client opens its session on first use and
    /// closes it when the container is disposed. Also registers an Orleans
    /// <see cref="IClusterConnectionStatusObserver"/>, so that when the container's Orleans client loses
    /// a gateway connection every ZkClient over it fails its outstanding calls at once.
    /// </summary>
    public static IServiceCollection AddOrleansZkClient(this IServiceCollection services, Action<ZkClientOptions>? configure = null)
    {
        var options = services.AddOptions<ZkClientOptions>();
        if (configure != null) options.Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IClusterConnectionStatusObserver, ZkConnectionMonitor>());
        services.AddSingleton(sp => new ZkClient(sp.GetRequiredService<IClusterClient>(), sp.GetRequiredService<IOptions<ZkClientOptions>>().Value));
        return services;
    }

    /// <summary>
    /// As <see cref="AddOrleansZkClient(IServiceCollection, Action{ZkClientOptions})"/>, and also
    /// registers the Orleans client itself (started and stopped with the host) for the service
    /// <paramref name="connectString"/> names (<see cref="ZkConnectString"/>: a gateway list, any of
    /// which may be down, or the cluster's database), with the cluster and service ids of the
    /// options and the watch streams. Host names in a gateway list are resolved here, once.
    /// </summary>
    /// <exception cref="Core.BadArgumentsException">A malformed connect string.</exception>
    /// <exception cref="Core.ConnectionLossException">A gateway's host name does not resolve.</exception>
    public static IServiceCollection AddOrleansZkClient(this IServiceCollection services, string connectString, Action<ZkClientOptions>? configure = null)
    {
        var target = ZkConnectString.Parse(connectString);
        var settings = new ZkClientOptions();
        configure?.Invoke(settings);
        var gateways = target.Database is null ? target.ResolveGatewaysAsync(CancellationToken.None).GetAwaiter().GetResult() : null;
        services.AddOrleansClient(client =>
        {
            if (gateways is not null) client.UseClusterGatewayList(gateways);
            ZkClient.ConfigureClient(client, target, settings);
        });
        return services.AddOrleansZkClient(configure);
    }
}
