using System.Data.Common;
using OrleansZk.Database;

namespace OrleansZk.Silo.Tests.Cluster;

/// <summary>Which database a cluster test runs on (the theories' parameter).</summary>
public enum DbKind
{
    Sqlite,
    Postgres,
}

/// <summary>
/// The PostgreSQL server the cluster tests share (started on first use, one per test run) and the
/// collection that runs them one at a time: each starts several silo processes, and on two cores
/// they would otherwise starve each other's failure detectors.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private PostgresServer? _server;

    public async Task<PostgresServer> ServerAsync()
    {
        await _gate.WaitAsync();
        try
        {
            return _server ??= await PostgresServer.StartNewAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "silo clusters";
}

/// <summary>
/// A cluster's database for one test: SQLite (the default: no connection string, the file under
/// the silos' shared data directory) or a new PostgreSQL database.
/// </summary>
public sealed class ClusterDatabase
{
    private ClusterDatabase(DbKind kind, ZkDatabase database, string[] siloArgs)
    {
        Kind = kind;
        Database = database;
        SiloArgs = siloArgs;
    }

    public DbKind Kind { get; }

    public ZkDatabase Database { get; }

    /// <summary>The settings that put a silo on this database (with AdoNet clustering).</summary>
    public string[] SiloArgs { get; }

    /// <summary>The connect string that lets a client read the gateways from this database.</summary>
    public string ClientConnectString => $"{Database.Invariant}:{Database.ConnectionString}";

    /// <summary>A database of <paramref name="kind"/> for silos whose data directory is <paramref name="dataDir"/>.</summary>
    public static async Task<ClusterDatabase> CreateAsync(DbKind kind, string dataDir, PostgresFixture postgres)
    {
        if (kind == DbKind.Sqlite)
            return new ClusterDatabase(kind, ZkDatabase.SqliteAt(Path.Combine(dataDir, ZkDatabase.DefaultSqliteFileName)), ["--OrleansZk:Clustering=AdoNet"]);
        var connectionString = await (await postgres.ServerAsync()).CreateDatabaseAsync();
        return For(ZkDatabase.Create(ZkDatabase.NpgsqlInvariant, connectionString));
    }

    /// <summary>Silo settings for an explicitly named database.</summary>
    public static ClusterDatabase For(ZkDatabase database) => new(
        database.Kind == ZkDatabaseKind.Sqlite ? DbKind.Sqlite : DbKind.Postgres,
        database,
        [
            "--OrleansZk:Clustering=AdoNet",
            $"--OrleansZk:Database:Invariant={database.Invariant}",
            $"--OrleansZk:Database:ConnectionString={database.ConnectionString}",
        ]);

    /// <summary>The membership table's rows of the default cluster id, as the database has them now.</summary>
    public async Task<IReadOnlyList<MemberRow>> MembersAsync()
    {
        await using var connection = Database.CreateConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT Port, Generation, Status, ProxyPort FROM OrleansMembershipTable WHERE DeploymentId = 'orleanszk';";
        var rows = new List<MemberRow>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add(new MemberRow(reader.GetInt32(0), reader.GetInt32(1), (MemberStatus)reader.GetInt32(2), reader.GetInt32(3)));
        return rows;
    }

    /// <summary>Runs one statement (test set-up: damaging the schema version, counting rows).</summary>
    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = Database.CreateConnection();
        await connection.OpenAsync();
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}

/// <summary>Orleans' silo statuses as the membership table stores them.</summary>
public enum MemberStatus
{
    Created = 1,
    Joining = 2,
    Active = 3,
    ShuttingDown = 4,
    Stopping = 5,
    Dead = 6,
}

/// <summary>One silo incarnation in the membership table.</summary>
public sealed record MemberRow(int Port, int Generation, MemberStatus Status, int GatewayPort);
