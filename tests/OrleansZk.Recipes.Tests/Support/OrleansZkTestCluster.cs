using Microsoft.Extensions.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;
using OrleansZk.Grains;

namespace OrleansZk.Recipes.Testing;

/// <summary>
/// Puts OrleansZk into an application's own TestingHost cluster, so that its grains (and its tests)
/// use the recipes against a real service: <c>new TestClusterBuilder(2).AddOrleansZk()</c>.
/// One silo hosts the replica (the primary by default, <see cref="OrleansZkTestOptions.ReplicaSilo"/>
/// to choose), every silo serves partitions and the watch streams, and the test cluster's client
/// gets the streams too. The replica's data goes to a fresh temporary directory; fsync is off and
/// ticks are short (250 ms), so sessions may time out in a second.
/// </summary>
public static class OrleansZkTestCluster
{
    /// <summary>Adds OrleansZk to every silo of the cluster being built, and its streams to the cluster's client.</summary>
    public static TestClusterBuilder AddOrleansZk(this TestClusterBuilder builder, Action<OrleansZkTestOptions>? configure = null)
    {
        var options = new OrleansZkTestOptions();
        configure?.Invoke(options);
        builder.Properties["OrleansZk:DataDir"] = options.DataDir;
        builder.Properties["OrleansZk:Partitions"] = options.Partitions.ToString();
        builder.Properties["OrleansZk:ForceSync"] = "false";
        builder.Properties["OrleansZk:TickTimeMs"] = "250";
        builder.Properties["OrleansZk:MaxSessionTimeoutMs"] = "60000";
        builder.Properties["OrleansZk:Ensemble"] = "1";
        builder.Properties["OrleansZkTest:ReplicaSilo"] = options.ReplicaSilo;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        return builder;
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var config = silo.Configuration;
            var hostsReplica = config["Orleans:Name"] == config["OrleansZkTest:ReplicaSilo"];
            silo.AddOrleansZk(o =>
            {
                config.GetSection("OrleansZk").Bind(o);
                o.ReplicaId = hostsReplica ? 1 : 0;
            });
        }
    }
}

/// <summary>How <see cref="OrleansZkTestCluster.AddOrleansZk"/> sets the service up.</summary>
public sealed class OrleansZkTestOptions
{
    /// <summary>The silo that hosts the replica, by TestingHost's name ("Primary", "Secondary_1", ...).</summary>
    public string ReplicaSilo { get; set; } = "Primary";

    /// <summary>Where the replica keeps its log and snapshots (a fresh temporary directory by default; the caller deletes it).</summary>
    public string DataDir { get; set; } = Path.Combine(Path.GetTempPath(), "orleanszk-test-" + Guid.NewGuid().ToString("N"));

    /// <summary>Partition grains (a power of two).</summary>
    public int Partitions { get; set; } = 8;
}
