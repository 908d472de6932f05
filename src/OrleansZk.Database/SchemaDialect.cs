using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace OrleansZk.Database;

/// <summary>What the schema migrator does differently on SQLite and PostgreSQL.</summary>
internal abstract class SchemaDialect
{
    /// <summary>The tables of schema version 1, lower case: a database that has any of them but no version table was made by someone else.</summary>
    public static readonly string[] OwnTables = ["orleansquery", "orleansmembershipversiontable", "orleansmembershiptable", "orleansstorage"];

    public const string VersionTable = "orleanszkschema";

    public static SchemaDialect For(ZkDatabase database) =>
        database.Kind == ZkDatabaseKind.Sqlite ? new SqliteDialect() : new PostgreSqlDialect();

    /// <summary>Runs once per connection before anything else (e.g. the busy timeout).</summary>
    public abstract Task PrepareConnectionAsync(DbConnection connection, CancellationToken ct);

    /// <summary>Settings of the database itself, made before the first script (outside any transaction).</summary>
    public virtual Task BeforeApplyAsync(DbConnection connection, CancellationToken ct) => Task.CompletedTask;

    /// <summary>
    /// Starts the transaction in which the schema is read and changed, holding a lock that makes
    /// every other migrator of this database wait until it commits.
    /// </summary>
    public abstract Task<DbTransaction> BeginLockedAsync(DbConnection connection, CancellationToken ct);

    /// <summary>The names (lower case) of the tables in the database's default schema.</summary>
    public abstract Task<IReadOnlySet<string>> TablesAsync(DbConnection connection, DbTransaction? transaction, CancellationToken ct);

    public abstract string CreateVersionTableSql { get; }

    /// <summary>Whether <paramref name="e"/> says the file is not a database (SQLite only).</summary>
    public virtual bool IsNotADatabase(DbException e) => false;

    protected static async Task<IReadOnlySet<string>> NamesAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        var names = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) names.Add(reader.GetString(0).ToLowerInvariant());
        return names;
    }

    protected static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }

    private sealed class SqliteDialect : SchemaDialect
    {
        // Several silo processes share the file: wait for a writer rather than fail at once.
        public override Task PrepareConnectionAsync(DbConnection connection, CancellationToken ct) =>
            ExecuteAsync(connection, null, "PRAGMA busy_timeout = 30000;", ct);

        // Readers never wait for the writer, nor it for them; kept in the file once set.
        public override Task BeforeApplyAsync(DbConnection connection, CancellationToken ct) =>
            ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL;", ct);

        // Microsoft.Data.Sqlite begins with BEGIN IMMEDIATE: the write lock is taken at once, so the
        // version read inside it is the one the scripts are applied over.
        public override Task<DbTransaction> BeginLockedAsync(DbConnection connection, CancellationToken ct) =>
            Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

        public override Task<IReadOnlySet<string>> TablesAsync(DbConnection connection, DbTransaction? transaction, CancellationToken ct) =>
            NamesAsync(connection, transaction, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%';", ct);

        public override string CreateVersionTableSql =>
            "CREATE TABLE IF NOT EXISTS OrleansZkSchema (Version INTEGER NOT NULL PRIMARY KEY, Name TEXT NOT NULL, " +
            "AppliedAt TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')));";

        // SQLITE_NOTADB (26), SQLITE_CORRUPT (11).
        public override bool IsNotADatabase(DbException e) => e is SqliteException { SqliteErrorCode: 26 or 11 };
    }

    private sealed class PostgreSqlDialect : SchemaDialect
    {
        // Any constant shared by every OrleansZk migrator: "OZKSCHMA".
        private const long AdvisoryLockKey = 0x4F5A4B5343484D41;

        public override Task PrepareConnectionAsync(DbConnection connection, CancellationToken ct) => Task.CompletedTask;

        // A transaction-scoped advisory lock: released by the commit or rollback, even if this
        // process dies, and never left behind on a pooled connection.
        public override async Task<DbTransaction> BeginLockedAsync(DbConnection connection, CancellationToken ct)
        {
            var transaction = await connection.BeginTransactionAsync(ct);
            await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({AdvisoryLockKey});", ct);
            return transaction;
        }

        public override Task<IReadOnlySet<string>> TablesAsync(DbConnection connection, DbTransaction? transaction, CancellationToken ct) =>
            NamesAsync(connection, transaction,
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE';", ct);

        public override string CreateVersionTableSql =>
            "CREATE TABLE IF NOT EXISTS OrleansZkSchema (Version integer NOT NULL PRIMARY KEY, Name text NOT NULL, " +
            "AppliedAt timestamptz NOT NULL DEFAULT now());";
    }
}
