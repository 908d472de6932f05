using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;
using OrleansZk.Client;
using OrleansZk.Recipes.Testing;

namespace OrleansZk.Recipes.Tests.Support;

/// <summary>
/// One OrleansZk cluster shared by every recipe test (a cluster takes seconds to start): the
/// primary silo holds membership and the gateway, the second silo hosts the replica, so the
/// service can be restarted (<see cref="RestartServiceAsync"/>) while clients stay connected to the
/// primary. Clients use an Orleans client of their own whose only gateway is the primary.
/// Every silo registers the recipes (<c>AddOrleansZkRecipes</c>) for the grains that use them.
/// </summary>
public sealed class RecipeCluster : IAsyncLifetime
{
    private readonly OrleansZkTestOptions _zk = new() { ReplicaSilo = "Secondary_1" };
    private IHost _clientHost = null!;
    private SiloHandle? _restarted;

    public TestCluster Cluster { get; private set; } = null!;

    /// <summary>An Orleans client whose only gateway is the primary silo (which never stops).</summary>
    public IClusterClient Client { get; private set; } = null!;

    /// <summary>The primary silo's gateway, for clients in other processes.</summary>
    public string GatewayConnectString => Cluster.Primary!.GatewayAddress.Endpoint.ToString();

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(2);
        builder.Options.ClusterId = ZkDefaults.ClusterId;
        builder.Options.ServiceId = ZkDefaults.ServiceId;
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        builder.AddOrleansZk(o =>
        {
            o.ReplicaSilo = _zk.ReplicaSilo;
            o.DataDir = _zk.DataDir;
        });
        builder.AddSiloBuilderConfigurator<RecipesInSilos>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        _clientHost = new HostBuilder()
            .UseOrleansClient(client => client
                .UseStaticClustering(Cluster.Primary!.GatewayAddress.Endpoint)
                .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ZkDefaults.ClusterId, ZkDefaults.ServiceId)))
            .Build();
        await _clientHost.StartAsync();
        Client = _clientHost.Services.GetRequiredService<IClusterClient>();
    }

    public async Task DisposeAsync()
    {
        await _clientHost.StopAsync();
        _clientHost.Dispose();
        if (_restarted != null) await Cluster.StopSiloAsync(_restarted);
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        try
        {
            Directory.Delete(_zk.DataDir, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }

    /// <summary>A client with its own session (opened on first use).</summary>
    public ZkClient NewClient(int sessionTimeoutMs = 10_000) =>
        new(Client, new ZkClientOptions { SessionTimeoutMs = sessionTimeoutMs, RequestTimeout = TimeSpan.FromSeconds(20) });

    /// <summary>Stops the replica's silo and starts it again: the service restarts from its data; sessions carry on.</summary>
    public async Task RestartServiceAsync()
    {
        var silo = _restarted ?? Cluster.Silos.Single(s => s.Name == _zk.ReplicaSilo);
        await Cluster.StopSiloAsync(silo);
        _restarted = await Cluster.StartSiloAsync(1, Cluster.Options);
    }

    private sealed class RecipesInSilos : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo) => silo.Services.AddOrleansZkRecipes(o => o.SessionTimeoutMs = 10_000);
    }
}

[CollectionDefinition(Name)]
public sealed class RecipeCollection : ICollectionFixture<RecipeCluster>
{
    public const string Name = "recipes";
}
