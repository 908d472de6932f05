using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace OrleansZk.Grains.Tests;

/// <summary>Polls a condition until it holds or a deadline passes (no bare sleeps).</summary>
internal static class Eventually
{
    /// <summary>Between two looks at the probe.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public static Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan deadline, string what) =>
        Until(probe, done, deadline, what, static v => $"{v}");

    /// <summary>As the other overload; a timeout names the last value as <paramref name="describe"/> puts it.</summary>
    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan deadline, string what, Func<T, string> describe)
    {
        var until = DateTime.UtcNow + deadline;
        while (true)
        {
            var value = await probe();
            if (done(value)) return value;
            if (DateTime.UtcNow > until) throw new TimeoutException($"{what}: not within {deadline.TotalSeconds} s (last: {describe(value)})");
            await Task.Delay(PollInterval);
        }
    }
}

/// <summary>A TestingHost cluster of <paramref name="silos"/> silos with its own data directory, removed afterwards.</summary>
public abstract class ZkCluster<TConfigurator>(int silos, string dataDir) : IAsyncLifetime
    where TConfigurator : ISiloConfigurator, new()
{
    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder((short)silos);
        builder.AddSiloBuilderConfigurator<TConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        if (Directory.Exists(dataDir)) Directory.Delete(dataDir, recursive: true);
    }
}

/// <summary>One silo hosting replica 1, with a fast container / TTL scan and 100 ms ticks.</summary>
public sealed class SingleSiloCluster() : ZkCluster<SingleSiloCluster.Configurator>(1, DataDir)
{
    public static readonly string DataDir = Path.Combine(Path.GetTempPath(), "orleanszk-grains-" + Guid.NewGuid().ToString("N"));

    public sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo) => silo.AddOrleansZk(o =>
        {
            o.DataDir = DataDir;
            o.Partitions = 8;
            o.ContainerCheckIntervalMs = 100;
            // Short ticks so sessions may time out in 200 ms; long sessions stay possible.
            o.TickTimeMs = 100;
            o.MaxSessionTimeoutMs = 60_000;
        });
    }
}

[CollectionDefinition(Name)]
public sealed class SingleSiloCollection : ICollectionFixture<SingleSiloCluster>
{
    public const string Name = "single silo";
}

/// <summary>
/// Two silos: the primary hosts no replica (ReplicaId 0), the secondary hosts replica 1, so the
/// replica's silo can be killed while the cluster (membership lives on the primary) carries on.
/// </summary>
public sealed class TwoSiloCluster() : ZkCluster<TwoSiloCluster.Configurator>(2, DataDir)
{
    public static readonly string DataDir = Path.Combine(Path.GetTempPath(), "orleanszk-placement-" + Guid.NewGuid().ToString("N"));

    public sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var name = silo.Configuration["Orleans:Name"];
            silo.AddOrleansZk(o =>
            {
                o.DataDir = DataDir;
                o.Partitions = 4;
                o.ReplicaId = name == Silo.PrimarySiloName ? 0 : 1;
            });
        }
    }
}

[CollectionDefinition(Name)]
public sealed class TwoSiloCollection : ICollectionFixture<TwoSiloCluster>
{
    public const string Name = "two silos";
}
