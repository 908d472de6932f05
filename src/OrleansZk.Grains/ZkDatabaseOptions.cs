using OrleansZk.Database;

namespace OrleansZk.Grains;

/// <summary>How the silos of one cluster find each other (<c>OrleansZk:Clustering</c>).</summary>
public enum ZkClustering
{
    /// <summary>One silo alone, membership in its own memory (Orleans' localhost clustering): the default.</summary>
    Localhost = 0,

    /// <summary>
    /// Orleans' membership table, and the grain state the service keeps, in a database
    /// (<c>OrleansZk:Database</c>): several silos, on one host (SQLite) or several (PostgreSQL).
    /// </summary>
    AdoNet = 1,
}

/// <summary>The <c>OrleansZk:Database</c> section: the database of <see cref="ZkClustering.AdoNet"/> clustering.</summary>
public sealed class ZkDatabaseOptions
{
    /// <summary>The ADO.NET driver: <c>Microsoft.Data.Sqlite</c> (default) or <c>Npgsql</c>.</summary>
    public string Invariant { get; set; } = ZkDatabase.SqliteInvariant;

    /// <summary>
    /// The driver's connection string. Empty (the default) with SQLite: the file
    /// <c>orleanszk.db</c> directly in <see cref="ZkServiceOptions.DataDir"/>, shared by the silos of
    /// this host that share that data directory. PostgreSQL needs one.
    /// </summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// Whether the silo brings the database's schema to its version at start (idempotent, safe for
    /// silos starting together). False: it only checks the version and refuses to start on an older
    /// one; the operator applies it with <c>OrleansZk.Silo schema apply</c>.
    /// </summary>
    public bool ApplySchema { get; set; } = true;

    /// <summary>The database these settings name; <paramref name="dataDir"/> must be absolute.</summary>
    /// <exception cref="ArgumentException">The settings do not name a database (<see cref="Problems"/> says why).</exception>
    public ZkDatabase Resolve(string dataDir) =>
        string.IsNullOrWhiteSpace(ConnectionString) && string.Equals(Invariant, ZkDatabase.SqliteInvariant, StringComparison.OrdinalIgnoreCase)
            ? ZkDatabase.SqliteAt(Path.Combine(dataDir, ZkDatabase.DefaultSqliteFileName))
            : ZkDatabase.Create(Invariant, ConnectionString);

    /// <summary>The problems with these settings under <paramref name="clustering"/>, each naming its key.</summary>
    internal IEnumerable<string> Problems(ZkClustering clustering, string prefix)
    {
        if (clustering != ZkClustering.AdoNet)
        {
            if (!string.IsNullOrWhiteSpace(ConnectionString) || !string.Equals(Invariant, ZkDatabase.SqliteInvariant, StringComparison.OrdinalIgnoreCase))
                yield return $"{prefix}:Invariant and {prefix}:ConnectionString are used only with OrleansZk:Clustering = AdoNet (it is {clustering})";
            yield break;
        }
        if (!ZkDatabase.Invariants.Contains(Invariant, StringComparer.OrdinalIgnoreCase))
        {
            yield return $"{prefix}:Invariant must be {string.Join(" or ", ZkDatabase.Invariants)}, not '{Invariant}'";
            yield break;
        }
        string? problem = null;
        try
        {
            Resolve(Path.GetTempPath());
        }
        catch (ArgumentException e)
        {
            problem = $"{prefix}:ConnectionString: {e.Message}";
        }
        if (problem is not null) yield return problem;
    }
}
