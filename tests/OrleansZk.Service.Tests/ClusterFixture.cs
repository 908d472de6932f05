using Microsoft.Extensions.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;
using OrleansZk.Client;
using OrleansZk.Grains;

namespace OrleansZk.Service.Tests;

/// <summary>
/// One single-silo OrleansZk cluster shared by every test of the "cluster" collection (a cluster
/// takes seconds to start). Its replica writes to a fresh temporary directory, with fsync on as in
/// production; containers and TTL nodes are scanned every 100 ms so their deletion is observable.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const int Partitions = 8;

    /// <summary>The service's MaxDataBytes (its smallest allowed value, so oversize requests stay cheap).</summary>
    public const int MaxDataBytes = 64 * 1024;

    /// <summary>The service's WatchHistory (triggers kept per partition).</summary>
    public const int WatchHistory = 64;

    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "orleanszk-service-tests-" + Guid.NewGuid().ToString("N"));

    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        // The ids every OrleansZk client uses, so ZkClient.ConnectAsync can reach this cluster too.
        builder.Options.ClusterId = ZkDefaults.ClusterId;
        builder.Options.ServiceId = ZkDefaults.ServiceId;
        // Real sockets (TestingHost defaults to an in-memory transport), so a ZkClient with its own
        // Orleans client can reach the gateway as the shell does.
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        builder.Properties["OrleansZk:DataDir"] = _dataDir;
        builder.Properties["OrleansZk:Partitions"] = Partitions.ToString();
        builder.Properties["OrleansZk:MaxDataBytes"] = MaxDataBytes.ToString();
        builder.Properties["OrleansZk:ContainerCheckIntervalMs"] = "100";
        builder.Properties["OrleansZk:ForceSync"] = "true";
        // Short ticks so a session may time out in a second; the usual 30 s stays possible.
        builder.Properties["OrleansZk:TickTimeMs"] = "250";
        builder.Properties["OrleansZk:MaxSessionTimeoutMs"] = "60000";
        // A short trigger history, so a replay that no longer reaches back is cheap to provoke.
        builder.Properties["OrleansZk:WatchHistory"] = WatchHistory.ToString();
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }

    /// <summary>The silo's gateway, "host:port", for clients that bring their own Orleans client.</summary>
    public string GatewayConnectString => Cluster.Primary!.GatewayAddress.Endpoint.ToString();

    /// <summary>A new client (its own session) over the cluster's Orleans client.</summary>
    public ZkClient NewClient(ZkClientOptions? options = null) => new(Cluster.Client, options);

    /// <summary>The silo's own services (it hosts replica 1 and every partition).</summary>
    public IServiceProvider SiloServices => ((InProcessSiloHandle)Cluster.Primary!).SiloHost.Services;

    /// <summary>A new client running inside the silo, over the silo's own Orleans client (as the client port's connections): it reads the partitions without grain calls where it can.</summary>
    public ZkClient NewInSiloClient(ZkClientOptions? options = null) =>
        new(Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<IClusterClient>(SiloServices), options);

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) =>
            siloBuilder.AddOrleansZk(siloBuilder.Configuration.GetSection("OrleansZk"));
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
