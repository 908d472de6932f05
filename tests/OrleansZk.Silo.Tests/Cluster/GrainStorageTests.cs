using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Runtime;
using OrleansZk.Database;

namespace OrleansZk.Silo.Tests.Cluster;

/// <summary>A grain of the host's own that keeps its state in the cluster database.</summary>
public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> Add(int n);
    Task<int> Get();
    Task Deactivate();
}

public sealed class CounterGrain([PersistentState("counter", GrainStorageTests.Store)] IPersistentState<CounterGrain.State> state) : Grain, ICounterGrain
{
    [GenerateSerializer]
    public sealed class State
    {
        [Id(0)] public int Value { get; set; }
    }

    public async Task<int> Add(int n)
    {
        state.State.Value += n;
        await state.WriteStateAsync();
        return state.State.Value;
    }

    public Task<int> Get() => Task.FromResult(state.State.Value);

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}

/// <summary>
/// The ADO.NET grain storage on an OrleansZk database (<see cref="ZkDatabaseHostingExtensions.AddZkDatabaseGrainStorage"/>),
/// which OrleansZk itself no longer needs (watch events are pushed to observers, nothing of theirs
/// is stored) but offers to the grains of the host: a state written survives the silo, and a stale
/// writer (another silo's activation with an older version) is refused, not merged.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class GrainStorageTests(PostgresFixture postgres) : IDisposable
{
    public const string Store = "zk-db";

    private readonly SiloRunner _runner = new();

    public void Dispose() => _runner.Dispose();

    [Theory]
    [InlineData(DbKind.Sqlite)]
    [InlineData(DbKind.Postgres)]
    public async Task A_hosts_grain_keeps_its_state_in_the_cluster_database_across_a_silo_restart(DbKind kind)
    {
        var data = _runner.NewDirectory("data");
        var cluster = await ClusterDatabase.CreateAsync(kind, data, postgres);
        var database = cluster.Database;
        await SchemaMigrator.ApplyAsync(database);

        using (var silo = await StartSiloAsync(database))
        {
            var counter = silo.Services.GetRequiredService<IGrainFactory>().GetGrain<ICounterGrain>("a");
            Assert.Equal(2, await counter.Add(2));
            Assert.Equal(5, await counter.Add(3));
            await counter.Deactivate();
            // A new activation reads it back.
            Assert.Equal(5, await counter.Get());
            await silo.StopAsync();
        }
        Assert.Equal(1L, Convert.ToInt64(await cluster.ScalarAsync("SELECT COUNT(*) FROM OrleansStorage WHERE PayloadBinary IS NOT NULL")));

        using (var silo = await StartSiloAsync(database))
        {
            var counter = silo.Services.GetRequiredService<IGrainFactory>().GetGrain<ICounterGrain>("a");
            Assert.Equal(5, await counter.Get());
            Assert.Equal(6, await counter.Add(1));
            // A writer that read the state before that write (its version is older) is refused.
            await cluster.ScalarAsync("UPDATE OrleansStorage SET Version = Version + 1");
            var e = await Assert.ThrowsAnyAsync<Exception>(() => counter.Add(1));
            Assert.Contains("Version", e.ToString(), StringComparison.OrdinalIgnoreCase);
            await silo.StopAsync();
        }
    }

    private static async Task<IHost> StartSiloAsync(ZkDatabase database)
    {
        var (siloPort, gatewayPort) = SiloRunner.FreePortPair();
        var host = new HostBuilder()
            .UseOrleans(silo => silo
                .UseLocalhostClustering(siloPort: siloPort, gatewayPort: gatewayPort)
                .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = ("storage-test", "storage-test"))
                .AddZkDatabaseGrainStorage(Store, database))
            .Build();
        await host.StartAsync();
        return host;
    }
}
