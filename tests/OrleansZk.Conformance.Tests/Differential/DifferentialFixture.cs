using Microsoft.Extensions.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;
using OrleansZk.Conformance.Tests.ZooKeeper;
using OrleansZk.Grains;

namespace OrleansZk.Conformance.Tests.Differential;

/// <summary>
/// What every differential run of a test class shares, started once and together: a throwaway
/// ZooKeeper 3.8 server with its Java client (<see cref="ZooKeeperDriver"/>) and a one-silo
/// OrleansZk cluster (TestingHost, in-memory transport, log in a fresh temporary directory without
/// fsync). Neither deletes empty containers or expired TTL nodes during a run: the in-process
/// ZooKeeper server starts no reaper, and the service's scan interval is an hour.
/// </summary>
public sealed class DifferentialFixture : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "orleanszk-differential-" + Guid.NewGuid().ToString("N"));
    private readonly HashSet<int> _usedSeeds = [];
    private int _runs;
    private bool _disposed;

    internal ZooKeeperDriver? ZooKeeper { get; private set; }

    public TestCluster Cluster { get; private set; } = null!;

    /// <summary>A root path no earlier run of this fixture used: "/d{seed}", or "/d{seed}-{n}" for a repeated seed. Runs are sequential.</summary>
    public string RootFor(int seed)
    {
        _runs++;
        return _usedSeeds.Add(seed) ? $"/d{seed}" : $"/d{seed}-{_runs}";
    }

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.Properties["OrleansZk:DataDir"] = _dataDir;
        builder.Properties["OrleansZk:Partitions"] = "8";
        builder.Properties["OrleansZk:ForceSync"] = "false";
        builder.Properties["OrleansZk:ContainerCheckIntervalMs"] = "3600000";
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        var zooKeeper = ZooKeeperDriver.StartAsync();
        var deployed = Cluster.DeployAsync();
        try
        {
            await Task.WhenAll(zooKeeper, deployed);
        }
        catch
        {
            // Whichever half started must not outlive the failure (the message is the exception's).
            if (zooKeeper.IsCompletedSuccessfully) ZooKeeper = zooKeeper.Result;
            await DisposeAsync();
            throw;
        }
        ZooKeeper = await zooKeeper;
    }

    /// <summary>Stops both; idempotent (a failed start disposes what it began).</summary>
    public async Task DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        if (ZooKeeper != null) await ZooKeeper.DisposeAsync();
        if (Cluster.Primary != null) await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory left behind is harmless.
        }
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddOrleansZk(siloBuilder.Configuration.GetSection("OrleansZk"));
    }
}
