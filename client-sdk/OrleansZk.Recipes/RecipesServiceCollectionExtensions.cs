using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans;
using OrleansZk.Client;

namespace OrleansZk.Recipes;

/// <summary>Registers the recipes' session in a host: a client process, or a silo whose grains use the recipes.</summary>
public static class RecipesServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="ZkSessionSource"/> whose clients go over the container's
    /// <see cref="IClusterClient"/> (an Orleans client, or the silo itself when the grains of a silo
    /// use the recipes — co-hosting OrleansZk or not), renewing its session after an expiry, and
    /// closed with the container. Also does <see cref="ZkClientServiceCollectionExtensions.AddOrleansZkClient(IServiceCollection, Action{ZkClientOptions})"/>
    /// (the options, configured by <paramref name="configure"/>, and the gateway-loss observer).
    /// The session is closed when the host stops — before Orleans does, in a silo — so its
    /// ephemerals (registrations, locks) go at once rather than at its expiry.
    /// </summary>
    public static IServiceCollection AddOrleansZkRecipes(this IServiceCollection services, Action<ZkClientOptions>? configure = null)
    {
        services.AddOrleansZkClient(configure);
        services.AddSingleton(sp =>
        {
            var cluster = sp.GetRequiredService<IClusterClient>();
            var options = sp.GetRequiredService<IOptions<ZkClientOptions>>().Value;
            return new ZkSessionSource(() => new ZkClient(cluster, options));
        });
        services.AddHostedService(sp => new SessionCloser(sp.GetRequiredService<ZkSessionSource>()));
        return services;
    }
}

/// <summary>Closes the recipes' session when the host stops (hosted services registered later stop first: this one before the Orleans client or silo it was added after).</summary>
internal sealed class SessionCloser(ZkSessionSource source) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await source.DisposeAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Out of time: the session then expires by itself.
        }
    }
}
