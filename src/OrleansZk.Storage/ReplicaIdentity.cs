namespace OrleansZk.Storage;

/// <summary>
/// Which replica of which ensemble a data directory belongs to: the file <c>identity</c> in it,
/// written when the directory is first used (two lines, <c>replica=N</c> and <c>ensemble=a,b,c</c>).
/// A directory moved to the wrong silo, or used with another ensemble, is refused with both values
/// named, rather than joining with someone else's history.
/// </summary>
public static class ReplicaIdentity
{
    public const string FileName = "identity";

    /// <summary>Records the identity if the directory has none; throws <see cref="ReplicaIdentityException"/> if it has another.</summary>
    public static void Check(string dataDir, long replicaId, IReadOnlyList<long> ensemble)
    {
        var path = Path.Combine(dataDir, FileName);
        var want = $"replica={replicaId}\nensemble={string.Join(',', ensemble)}\n";
        if (!File.Exists(path))
        {
            FileSync.WriteAtomically(path, System.Text.Encoding.UTF8.GetBytes(want), forceSync: true);
            return;
        }
        var fields = File.ReadAllLines(path)
            .Select(l => l.Split('=', 2))
            .Where(kv => kv.Length == 2)
            .ToDictionary(kv => kv[0].Trim(), kv => kv[1].Trim());
        var replica = fields.GetValueOrDefault("replica");
        if (replica != replicaId.ToString(System.Globalization.CultureInfo.InvariantCulture))
            throw new ReplicaIdentityException(path, $"OrleansZk:ReplicaId: data directory {dataDir} belongs to replica {replica ?? "(unreadable)"}, not {replicaId}");
        var recorded = fields.GetValueOrDefault("ensemble");
        if (recorded != string.Join(',', ensemble))
            throw new ReplicaIdentityException(path, $"OrleansZk:Ensemble: data directory {dataDir} belongs to ensemble {recorded ?? "(unreadable)"}, not {string.Join(',', ensemble)}");
    }
}

/// <summary>A data directory that belongs to another replica or ensemble.</summary>
public sealed class ReplicaIdentityException(string path, string message) : StorageException(message)
{
    public string Path { get; } = path;
}
