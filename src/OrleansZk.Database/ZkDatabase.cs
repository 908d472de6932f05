using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace OrleansZk.Database;

/// <summary>The two databases OrleansZk keeps Orleans' membership table and grain state in.</summary>
public enum ZkDatabaseKind
{
    /// <summary>An SQLite file (<c>Microsoft.Data.Sqlite</c>): the silos of one host share it.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database (<c>Npgsql</c>): silos on several hosts share it.</summary>
    PostgreSql,
}

/// <summary>
/// One OrleansZk database: which ADO.NET driver (its invariant name, as the settings and connect
/// strings spell it) and how to reach it. Immutable; the connection string is checked for syntax
/// when it is made, never contacted.
/// </summary>
public sealed partial class ZkDatabase
{
    /// <summary>The invariant name of Microsoft's SQLite driver.</summary>
    public const string SqliteInvariant = "Microsoft.Data.Sqlite";

    /// <summary>The invariant name of the PostgreSQL driver.</summary>
    public const string NpgsqlInvariant = "Npgsql";

    /// <summary>The file name of the SQLite database a data directory holds when no connection string is set.</summary>
    public const string DefaultSqliteFileName = "orleanszk.db";

    /// <summary>The invariant names accepted, in the order messages list them.</summary>
    public static IReadOnlyList<string> Invariants { get; } = [SqliteInvariant, NpgsqlInvariant];

    private ZkDatabase(ZkDatabaseKind kind, string connectionString)
    {
        Kind = kind;
        ConnectionString = connectionString;
    }

    public ZkDatabaseKind Kind { get; }

    /// <summary>The invariant name as OrleansZk spells it (<see cref="SqliteInvariant"/> or <see cref="NpgsqlInvariant"/>).</summary>
    public string Invariant => Kind == ZkDatabaseKind.Sqlite ? SqliteInvariant : NpgsqlInvariant;

    /// <summary>
    /// The invariant name Orleans' ADO.NET providers know the driver by. They load a driver only
    /// through a fixed table of their own (no <see cref="DbProviderFactories"/> registration reaches
    /// it) whose SQLite entry is <c>System.Data.SQLite</c>, backed by Microsoft.Data.Sqlite's
    /// <c>SqliteFactory</c>; an invariant outside that table fails at start.
    /// </summary>
    public string OrleansInvariant => Kind == ZkDatabaseKind.Sqlite ? "System.Data.SQLite" : "Npgsql";

    /// <summary>The full connection string (it may hold a password: show <see cref="Describe"/> instead).</summary>
    public string ConnectionString { get; }

    /// <summary>For SQLite, the database file's full path; null for PostgreSQL.</summary>
    public string? SqliteFile => Kind == ZkDatabaseKind.Sqlite
        ? Path.GetFullPath(new SqliteConnectionStringBuilder(ConnectionString).DataSource)
        : null;

    /// <summary>
    /// The database reached through <paramref name="invariant"/> (<see cref="Invariants"/>, any case)
    /// with <paramref name="connectionString"/>. For SQLite the connection string may also be a bare
    /// file path.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown invariant, or a connection string the driver cannot parse (the message says why, never the password).</exception>
    public static ZkDatabase Create(string invariant, string connectionString)
    {
        if (string.Equals(invariant, SqliteInvariant, StringComparison.OrdinalIgnoreCase))
        {
            if (string.IsNullOrWhiteSpace(connectionString)) throw new ArgumentException("an SQLite connection string needs a Data Source (a file path)");
            var text = connectionString.Contains('=') ? connectionString : $"Data Source={connectionString}";
            var builder = Parse(() => new SqliteConnectionStringBuilder(text));
            if (string.IsNullOrWhiteSpace(builder.DataSource) || builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory)
                throw new ArgumentException("an SQLite connection string needs a Data Source that is a file (silos in several processes share it)");
            return new ZkDatabase(ZkDatabaseKind.Sqlite, builder.ConnectionString);
        }
        if (string.Equals(invariant, NpgsqlInvariant, StringComparison.OrdinalIgnoreCase))
        {
            if (string.IsNullOrWhiteSpace(connectionString)) throw new ArgumentException("a PostgreSQL connection string is needed (Host=...;Database=...;Username=...;Password=...)");
            var builder = Parse(() => new NpgsqlConnectionStringBuilder(connectionString));
            if (string.IsNullOrWhiteSpace(builder.Host)) throw new ArgumentException("a PostgreSQL connection string needs a Host");
            return new ZkDatabase(ZkDatabaseKind.PostgreSql, builder.ConnectionString);
        }
        throw new ArgumentException($"the invariant must be {string.Join(" or ", Invariants)}, not '{invariant}'");
    }

    /// <summary>The SQLite database file <paramref name="path"/> (made absolute).</summary>
    public static ZkDatabase SqliteAt(string path) =>
        new(ZkDatabaseKind.Sqlite, new SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(path) }.ConnectionString);

    /// <summary>
    /// Where the database is, for messages and logs, with any password masked: "SQLite file
    /// /var/lib/orleanszk/orleanszk.db" or "PostgreSQL at db1:5432 (Host=db1;Database=zk;Username=zk;Password=***)".
    /// </summary>
    public string Describe()
    {
        if (Kind == ZkDatabaseKind.Sqlite) return $"SQLite file {SqliteFile}";
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        return $"PostgreSQL at {builder.Host}:{builder.Port} ({Mask(ConnectionString)})";
    }

    /// <summary>A connection string with the value of every password-like key (Password, Pwd, ...) replaced by ***, the rest as written.</summary>
    public static string Mask(string connectionString) => PasswordValue().Replace(connectionString, "${key}***");

    [GeneratedRegex("""(?<key>(?:^|;)\s*[^;=]*(?:password|pwd)[^;=]*=\s*)(?:"[^"]*"|'[^']*'|[^;]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordValue();

    /// <summary>A new, closed connection to the database.</summary>
    public DbConnection CreateConnection() => Kind == ZkDatabaseKind.Sqlite
        ? new SqliteConnection(ConnectionString)
        : new NpgsqlConnection(ConnectionString);

    /// <inheritdoc/>
    public override string ToString() => Describe();

    private static T Parse<T>(Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or NotSupportedException)
        {
            // The driver's message names the offending keyword, never the values of the others.
            throw new ArgumentException($"the connection string does not parse: {e.Message}");
        }
    }
}
