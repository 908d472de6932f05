using System.Data.Common;

namespace OrleansZk.Database;

/// <summary>Where a database's schema stood before and after <see cref="SchemaMigrator.ApplyAsync"/>.</summary>
public sealed record SchemaChange(int FromVersion, int ToVersion)
{
    public bool Changed => FromVersion != ToVersion;
}

/// <summary>
/// Brings a database to <see cref="SchemaScripts.CurrentVersion"/>, or checks that it is there.
/// The version lives in the table <c>OrleansZkSchema</c> (one row per applied script).
/// </summary>
/// <remarks>
/// <see cref="ApplyAsync"/> is idempotent and safe to run from any number of processes at once:
/// it reads the version and applies the missing scripts inside one transaction that holds the
/// database's write lock (SQLite: <c>BEGIN IMMEDIATE</c>, others wait up to the busy timeout;
/// PostgreSQL: a transaction-scoped advisory lock), so exactly one process applies each script
/// and the others then find the schema current. A failed script rolls back whole.
/// </remarks>
public static class SchemaMigrator
{
    /// <summary>Applies every script newer than the database's version, in order.</summary>
    /// <exception cref="DatabaseUnavailableException">The database cannot be reached or opened.</exception>
    /// <exception cref="DatabaseRefusedException">Its schema is newer than this build's, or it is not an OrleansZk database.</exception>
    public static Task<SchemaChange> ApplyAsync(ZkDatabase database, CancellationToken ct = default) =>
        RunAsync(database, apply: true, ct);

    /// <summary>
    /// Checks without changing anything (for operators who apply the schema themselves) that the
    /// database is at <see cref="SchemaScripts.CurrentVersion"/>; returns its version.
    /// </summary>
    /// <exception cref="DatabaseUnavailableException">The database cannot be reached or opened.</exception>
    /// <exception cref="DatabaseRefusedException">Its schema is older or newer than this build's, or it is not an OrleansZk database.</exception>
    public static async Task<int> VerifyAsync(ZkDatabase database, CancellationToken ct = default) =>
        (await RunAsync(database, apply: false, ct)).FromVersion;

    /// <summary>The database's schema version (0: none yet), without changing anything.</summary>
    public static async Task<int> ReadVersionAsync(ZkDatabase database, CancellationToken ct = default)
    {
        var dialect = SchemaDialect.For(database);
        await using var connection = await OpenAsync(database, dialect, ct);
        return await Guard(database, dialect, async () => (await ReadAsync(database, dialect, connection, null, ct)).Version);
    }

    private static async Task<SchemaChange> RunAsync(ZkDatabase database, bool apply, CancellationToken ct)
    {
        var dialect = SchemaDialect.For(database);
        await using var connection = await OpenAsync(database, dialect, ct);
        return await Guard(database, dialect, async () =>
        {
            var current = SchemaScripts.CurrentVersion;
            if (!apply)
            {
                var (found, _) = await ReadAsync(database, dialect, connection, null, ct);
                if (found < current)
                {
                    throw new DatabaseRefusedException(
                        $"{database.Describe()} has schema version {found}, this silo needs {current}, and " +
                        "OrleansZk:Database:ApplySchema is false: apply it with `OrleansZk.Silo schema apply` (same settings)");
                }
                return new SchemaChange(found, found);
            }

            // Refuse a foreign or too-new database before touching it at all.
            await ReadAsync(database, dialect, connection, null, ct);
            await dialect.BeforeApplyAsync(connection, ct);
            await using var transaction = await dialect.BeginLockedAsync(connection, ct);
            var (version, hasTable) = await ReadAsync(database, dialect, connection, transaction, ct);
            if (!hasTable) await ExecuteAsync(connection, transaction, dialect.CreateVersionTableSql, ct);
            foreach (var script in SchemaScripts.For(database.Kind).Where(s => s.Version > version))
            {
                await ExecuteAsync(connection, transaction, script.Sql, ct);
                await using var record = connection.CreateCommand();
                record.Transaction = transaction;
                record.CommandText = "INSERT INTO OrleansZkSchema (Version, Name) VALUES (@version, @name);";
                AddParameter(record, "version", script.Version);
                AddParameter(record, "name", script.Name);
                await record.ExecuteNonQueryAsync(ct);
            }
            await transaction.CommitAsync(ct);
            return new SchemaChange(version, Math.Max(version, current));
        });
    }

    /// <summary>The version, and whether the version table exists; refuses foreign and too-new databases.</summary>
    private static async Task<(int Version, bool HasTable)> ReadAsync(ZkDatabase database, SchemaDialect dialect,
        DbConnection connection, DbTransaction? transaction, CancellationToken ct)
    {
        var tables = await dialect.TablesAsync(connection, transaction, ct);
        if (!tables.Contains(SchemaDialect.VersionTable))
        {
            // SQLite: the file is OrleansZk's alone, so any table means it is someone else's.
            var foreign = database.Kind == ZkDatabaseKind.Sqlite
                ? tables.Order(StringComparer.Ordinal).ToList()
                : tables.Intersect(SchemaDialect.OwnTables).Order(StringComparer.Ordinal).ToList();
            if (foreign.Count > 0)
            {
                throw new DatabaseRefusedException(
                    $"{database.Describe()} is not an OrleansZk database: it has tables ({string.Join(", ", foreign.Take(8))}) but no OrleansZkSchema version table");
            }
            return (0, false);
        }
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COALESCE(MAX(Version), 0) FROM OrleansZkSchema;";
        var version = Convert.ToInt32(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        if (version > SchemaScripts.CurrentVersion)
        {
            throw new DatabaseRefusedException(
                $"{database.Describe()} has schema version {version}, newer than this silo knows ({SchemaScripts.CurrentVersion}): " +
                "run a silo of the release that wrote it, or a later one");
        }
        return (version, true);
    }

    private static async Task<DbConnection> OpenAsync(ZkDatabase database, SchemaDialect dialect, CancellationToken ct)
    {
        if (database.SqliteFile is { } file)
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var connection = database.CreateConnection();
        try
        {
            await connection.OpenAsync(ct);
            await dialect.PrepareConnectionAsync(connection, ct);
            return connection;
        }
        catch (Exception e) when (e is DbException or IOException or UnauthorizedAccessException or TimeoutException)
        {
            await connection.DisposeAsync();
            if (e is DbException db && dialect.IsNotADatabase(db)) throw NotADatabase(database, e);
            throw new DatabaseUnavailableException($"cannot reach {database.Describe()}: {e.Message}", e);
        }
    }

    private static async Task<T> Guard<T>(ZkDatabase database, SchemaDialect dialect, Func<Task<T>> body)
    {
        try
        {
            return await body();
        }
        catch (DbException e) when (dialect.IsNotADatabase(e))
        {
            throw NotADatabase(database, e);
        }
        catch (DbException e)
        {
            throw new DatabaseUnavailableException($"{database.Describe()} failed: {e.Message}", e);
        }
    }

    private static DatabaseRefusedException NotADatabase(ZkDatabase database, Exception e) =>
        new($"{database.Describe()} is not an OrleansZk database (not an SQLite database, or damaged): {e.Message}", e);

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
