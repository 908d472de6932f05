using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansZk.Client;
using OrleansZk.Core;
using OrleansZk.Database;

namespace OrleansZk.Silo.Tests.Cluster;

/// <summary>
/// How clients find the service: a gateway list (any gateway may be down) or the cluster's
/// database (the gateways of the silos that are up), through ZkClient.ConnectAsync,
/// AddOrleansZkClient and the shell.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ConnectStringTests(PostgresFixture postgres) : IDisposable
{
    private readonly SiloRunner _runner = new();

    public void Dispose() => _runner.Dispose();

    [Theory]
    [InlineData("Npgsql:Host=db1;Port=5433;Database=zk;Username=zk;Password=pw", ZkDatabaseKind.PostgreSql, "Npgsql:Host=db1;Port=5433;Database=zk;Username=zk;Password=***")]
    [InlineData("npgsql:Host=db1;Pwd=pw", ZkDatabaseKind.PostgreSql, "Npgsql:Host=db1;Password=***")]
    [InlineData("Microsoft.Data.Sqlite:/var/lib/zk/orleanszk.db", ZkDatabaseKind.Sqlite, "Microsoft.Data.Sqlite:Data Source=/var/lib/zk/orleanszk.db")]
    [InlineData("Microsoft.Data.Sqlite:Data Source=/var/lib/zk/orleanszk.db;Default Timeout=60", ZkDatabaseKind.Sqlite, "Microsoft.Data.Sqlite:Data Source=/var/lib/zk/orleanszk.db;Default Timeout=60")]
    public void A_connect_string_naming_a_driver_is_a_database(string text, ZkDatabaseKind kind, string shown)
    {
        var target = ZkConnectString.Parse(text);
        Assert.Equal(kind, target.Database!.Kind);
        Assert.Empty(target.Gateways);
        Assert.Equal(shown, target.ToString());
    }

    [Theory]
    [InlineData("127.0.0.1:30000,127.0.0.1:30001", "127.0.0.1:30000,127.0.0.1:30001")]
    [InlineData("npgsql:5432", "npgsql:5432")]
    [InlineData("zk1, zk2:4000", "zk1:30000,zk2:4000")]
    public void Any_other_connect_string_is_a_gateway_list(string text, string gateways)
    {
        var target = ZkConnectString.Parse(text);
        Assert.Null(target.Database);
        Assert.Equal(gateways, string.Join(",", target.Gateways.Select(g => $"{g.Host}:{g.Port}")));
    }

    [Theory]
    [InlineData("Npgsql:Port=5432")]
    [InlineData("Microsoft.Data.Sqlite:Data Source=:memory:")]
    [InlineData("Npgsql:Host=db1;Port=notaport")]
    [InlineData(",")]
    public void A_malformed_connect_string_is_BadArguments(string text) =>
        Assert.Throws<BadArgumentsException>(() => ZkConnectString.Parse(text));

    [Fact]
    public async Task A_gateway_list_with_a_gateway_down_connects_through_the_others()
    {
        var (_, ready) = await _runner.StartAsync(_runner.NewDirectory("data"));
        var (closed, _) = SiloRunner.FreePortPair();
        foreach (var (list, name) in new[] { ($"127.0.0.1:{closed},{ready.Gateway}", "/down-first"), ($"{ready.Gateway},127.0.0.1:{closed}", "/down-last") })
        {
            var zk = await _runner.ConnectAsync(list, new ZkClientOptions { RequestTimeout = TimeSpan.FromSeconds(20) });
            await zk.CreateAsync(name, null);
        }

        // The same through a host's container.
        using var host = new HostBuilder()
            .ConfigureServices(s => s.AddOrleansZkClient($"127.0.0.1:{closed},{ready.Gateway}", o => o.RequestTimeout = TimeSpan.FromSeconds(20)))
            .Build();
        await host.StartAsync();
        var client = host.Services.GetRequiredService<ZkClient>();
        await client.CreateAsync("/via-container", null);
        await client.CloseAsync();
        await host.StopAsync();
    }

    [Theory]
    [InlineData(DbKind.Sqlite)]
    [InlineData(DbKind.Postgres)]
    public async Task Clients_and_the_shell_find_the_gateways_in_the_database(DbKind kind)
    {
        var data = _runner.NewDirectory("data");
        var cluster = new SiloCluster(_runner, await ClusterDatabase.CreateAsync(kind, data, postgres), data);
        var replica = await cluster.StartAsync(replicaId: 1);
        var other = await cluster.StartAsync(replicaId: 0);
        await cluster.ActiveGenerationAsync(other);
        var connect = cluster.Database.ClientConnectString;

        var zk = await cluster.ConnectAsync(connect);
        await zk.CreateAsync("/found", "in the table"u8.ToArray());

        var shell = _runner.Launch(["-server", connect, "get", "/found"], dll: SiloProcess.CliDll);
        Assert.Equal(0, await shell.WaitExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("in the table", shell.Stdout);
        Assert.Contains($"Connecting to {ZkConnectString.Parse(connect)}", shell.Stdout);
        if (kind == DbKind.Postgres) Assert.DoesNotContain((await postgres.ServerAsync()).RolePassword, shell.Output);

        // With one silo gone, the table lists the other: a new client still connects.
        await cluster.KillAndWaitDeadAsync(other, await cluster.ActiveGenerationAsync(other));
        var later = await cluster.ConnectAsync(connect);
        Assert.NotNull(await later.ExistsAsync("/found"));
        _ = replica;
    }
}
