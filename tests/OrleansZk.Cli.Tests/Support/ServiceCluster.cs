using Microsoft.Extensions.Configuration;
using Orleans;
using Orleans.Hosting;
using Orleans.TestingHost;
using OrleansZk.Client;
using OrleansZk.Grains;

namespace OrleansZk.Cli.Tests.Support;

/// <summary>
/// A single-silo OrleansZk service on Orleans.TestingHost whose replica writes to a fresh
/// temporary directory, so its tree starts as a new ZooKeeper's does (only /zookeeper) and its
/// first transaction takes the first zxid.
/// </summary>
public sealed class ServiceCluster(TestCluster cluster, string dataDir) : IAsyncDisposable
{
    private const string DataDirKey = "CliTests:DataDir";

    public TestCluster Cluster { get; } = cluster;

    public static async Task<ServiceCluster> StartAsync()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "orleanszk-cli-tests-" + Guid.NewGuid().ToString("N"));
        var builder = new TestClusterBuilder(1);
        builder.Options.ClusterId = ZkDefaults.ClusterId;
        builder.Options.ServiceId = ZkDefaults.ServiceId;
        // In-process silos are configured by type, so the directory travels as a property.
        builder.Properties[DataDirKey] = dataDir;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        // Watch events come on Orleans streams, which the client must know.
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new ServiceCluster(cluster, dataDir);
    }

    /// <summary>A connected client with a session of its own.</summary>
    public Task<ZkClient> ConnectAsync(CancellationToken ct = default) => ConnectAsync(null, ct);

    /// <summary>A connected client with a session of its own, opened with <paramref name="options"/>.</summary>
    public async Task<ZkClient> ConnectAsync(ZkClientOptions? options, CancellationToken ct = default)
    {
        var client = new ZkClient(Cluster.Client, options);
        await client.ConnectAsync(ct);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        try
        {
            Directory.Delete(dataDir, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory left behind is harmless.
        }
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) =>
            siloBuilder.AddOrleansZk(o => o.DataDir = siloBuilder.Configuration[DataDirKey]!);
    }
}
