using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.Runtime;

namespace OrleansZk.Wire.Server;

/// <summary>Adds the ZooKeeper client port to a silo that hosts OrleansZk.</summary>
public static class WireSiloBuilderExtensions
{
    /// <summary>
    /// Serves ZooKeeper 3.8's client protocol on <see cref="ZkWireOptions.Port"/> while the silo is
    /// active; <see cref="ZkWireServer"/> (from the container) tells where it listens.
    /// </summary>
    public static ISiloBuilder AddOrleansZkClientPort(this ISiloBuilder silo, Action<ZkWireOptions> configure)
    {
        silo.Services.Configure(configure);
        silo.Services.AddSingleton<ZkWireServer>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<ZkWireServer>());
        return silo;
    }
}
