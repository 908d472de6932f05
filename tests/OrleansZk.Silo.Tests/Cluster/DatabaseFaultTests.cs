using System.Text;
using Microsoft.Data.Sqlite;
using OrleansZk.Client;
using OrleansZk.Core;
using OrleansZk.Database;
using OrleansZk.Service.Tests;
using Xunit.Abstractions;

namespace OrleansZk.Silo.Tests.Cluster;

/// <summary>
/// The database going wrong: unreachable at start (exit 1, the host named, the password masked),
/// not an OrleansZk database (damaged or foreign SQLite file), a schema newer than the silo knows,
/// a schema the silo may not apply itself (and the command that does), and PostgreSQL stopped under
/// a running cluster, which goes on serving and picks up when it returns.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class DatabaseFaultTests(PostgresFixture postgres, ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly SiloRunner _runner = new();

    public void Dispose() => _runner.Dispose();

    [Fact]
    public async Task An_unreachable_database_stops_start_up_with_exit_1_naming_the_host_and_masking_the_password()
    {
        var (closedPort, _) = SiloRunner.FreePortPair();
        var database = ZkDatabase.Create(ZkDatabase.NpgsqlInvariant, $"Host=127.0.0.1;Port={closedPort};Database=zk;Username=zk;Password=s3cret-pw");
        var silo = _runner.Launch([.. Args(ClusterDatabase.For(database))]);
        Assert.Equal(1, await silo.WaitExitAsync());
        output.WriteLine(silo.Stderr);
        Assert.Contains($"OrleansZk silo 1 failed to start: cannot reach PostgreSQL at 127.0.0.1:{closedPort}", silo.Stderr);
        Assert.Contains("Password=***", silo.Stderr);
        Assert.DoesNotContain("s3cret-pw", silo.Output);
    }

    [Theory]
    [InlineData("damaged", "is not an OrleansZk database (not an SQLite database, or damaged)")]
    [InlineData("foreign", "is not an OrleansZk database: it has tables (customers)")]
    public async Task A_damaged_or_foreign_SQLite_file_is_refused(string kind, string message)
    {
        var data = _runner.NewDirectory("data");
        var file = Path.Combine(data, ZkDatabase.DefaultSqliteFileName);
        if (kind == "damaged")
        {
            await File.WriteAllBytesAsync(file, Enumerable.Range(0, 8192).Select(i => (byte)(i * 37)).ToArray());
        }
        else
        {
            await using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);";
            await command.ExecuteNonQueryAsync();
        }
        var before = await File.ReadAllBytesAsync(file);

        var silo = _runner.Launch([$"--OrleansZk:DataDir={data}", "--OrleansZk:Clustering=AdoNet", .. FreePorts()]);
        Assert.Equal(1, await silo.WaitExitAsync());
        output.WriteLine(silo.Stderr);
        Assert.Contains($"OrleansZk silo 1 failed to start: SQLite file {file} {message}", silo.Stderr);
        Assert.Equal(before, await File.ReadAllBytesAsync(file));
    }

    [Theory]
    [InlineData(DbKind.Sqlite)]
    [InlineData(DbKind.Postgres)]
    public async Task A_schema_newer_than_the_silo_knows_is_refused(DbKind kind)
    {
        var data = _runner.NewDirectory("data");
        var database = await ClusterDatabase.CreateAsync(kind, data, postgres);
        await SchemaMigrator.ApplyAsync(database.Database);
        await database.ScalarAsync("INSERT INTO OrleansZkSchema (Version, Name) VALUES (99, 'from-the-future')");

        var silo = _runner.Launch([$"--OrleansZk:DataDir={data}", .. Args(database)]);
        Assert.Equal(1, await silo.WaitExitAsync());
        Assert.Contains($"has schema version 99, newer than this silo knows ({SchemaScripts.CurrentVersion})", silo.Stderr);
    }

    [Theory]
    [InlineData(DbKind.Sqlite)]
    [InlineData(DbKind.Postgres)]
    public async Task Without_DDL_at_start_the_silo_waits_for_schema_apply(DbKind kind)
    {
        var data = _runner.NewDirectory("data");
        var database = await ClusterDatabase.CreateAsync(kind, data, postgres);
        string[] settings = [$"--OrleansZk:DataDir={data}", .. database.SiloArgs, "--OrleansZk:Database:ApplySchema=false"];

        var refused = _runner.Launch([.. settings, .. FreePorts()]);
        Assert.Equal(1, await refused.WaitExitAsync());
        Assert.Contains($"has schema version 0, this silo needs {SchemaScripts.CurrentVersion}", refused.Stderr);
        Assert.Contains("schema apply", refused.Stderr);
        Assert.Equal(0, await SchemaMigrator.ReadVersionAsync(database.Database));

        Assert.Contains("schema version 0 (this build needs 1)", await RunSchemaAsync("status", settings));
        Assert.Contains("schema version 0 -> 1", await RunSchemaAsync("apply", settings));
        Assert.Contains("schema version 1 (current, nothing to do)", await RunSchemaAsync("apply", settings));

        var (_, ready) = await _runner.StartAsync(data, null, [.. database.SiloArgs, "--OrleansZk:Database:ApplySchema=false"]);
        var zk = await _runner.ConnectAsync(ready);
        await zk.CreateAsync("/applied", null);
    }

    [Fact]
    public async Task PostgreSQL_stopped_mid_run_the_cluster_keeps_serving_and_membership_picks_up_when_it_returns()
    {
        // A server of this test's own: stopping the shared one would break the other tests.
        await using var server = await PostgresServer.StartNewAsync();
        var data = _runner.NewDirectory("data");
        var cluster = new SiloCluster(_runner, ClusterDatabase.For(ZkDatabase.Create(ZkDatabase.NpgsqlInvariant, await server.CreateDatabaseAsync())), data);
        var other = await cluster.StartAsync(replicaId: 0);
        var replica = await cluster.StartAsync(replicaId: 1);
        var gateways = SiloCluster.Gateways(other, replica);
        var zk = await cluster.ConnectAsync(gateways);
        var watcher = await cluster.ConnectAsync(gateways);
        var events = new WatchRecorder();
        await zk.CreateAsync("/w", null);
        await watcher.AddWatchAsync("/w", events.Watcher, AddWatchMode.PersistentRecursive);
        await zk.CreateAsync("/w/before", null);
        await events.WaitForAsync("NodeCreated /w/before", Deadline);

        await server.StopAsync();
        // Reads, writes and watch events go on: the database is not on their path.
        for (var i = 0; i < 20; i++)
        {
            await zk.CreateAsync($"/w/down-{i}", Encoding.UTF8.GetBytes($"{i}"));
            Assert.Equal($"{i}", Encoding.UTF8.GetString((await watcher.GetDataAsync($"/w/down-{i}")).Data!));
        }
        await events.WaitForAsync("NodeCreated /w/down-19", Deadline);
        // A new client finds the service through its gateways and opens a session.
        var newcomer = await cluster.ConnectAsync(gateways);
        await newcomer.SetDataAsync("/w", Encoding.UTF8.GetBytes("during the outage"));

        await server.StartAsync();
        // Membership works again: a silo killed now is declared dead, and rejoins when restarted.
        var generation = await cluster.ActiveGenerationAsync(other);
        var dead = await cluster.KillAndWaitDeadAsync(other, generation);
        output.WriteLine($"after the database returned, a SIGKILLed silo was declared dead in {dead.TotalMilliseconds:0} ms");
        var again = await cluster.RestartAsync(other);
        Assert.True(await cluster.ActiveGenerationAsync(again) > generation);
        await SiloCluster.UntilServedAsync(() => zk.SetDataAsync("/w", Encoding.UTF8.GetBytes("after")), Deadline, "write after the database returned");
    }

    private static string[] Args(ClusterDatabase database) => [.. database.SiloArgs, .. FreePorts()];

    private static string[] FreePorts()
    {
        var (silo, gateway) = SiloRunner.FreePortPair();
        return [$"--OrleansZk:SiloPort={silo}", $"--OrleansZk:GatewayPort={gateway}"];
    }

    private async Task<string> RunSchemaAsync(string verb, string[] settings)
    {
        var command = _runner.Launch(["schema", verb, .. settings]);
        Assert.Equal(0, await command.WaitExitAsync());
        output.WriteLine(command.Stdout);
        Assert.DoesNotContain("s3cret", command.Output);
        return command.Stdout;
    }
}
