using OrleansZk.Database;
using OrleansZk.Grains;

namespace OrleansZk.Silo;

/// <summary>
/// The database of AdoNet clustering, before Orleans starts: reachable, an OrleansZk database, and
/// at this build's schema version (applied now unless <c>OrleansZk:Database:ApplySchema</c> is false).
/// </summary>
internal static class DatabaseStartup
{
    /// <summary>Null when the silo may start (always with localhost clustering), else the one-line reason it may not.</summary>
    public static async Task<string?> PrepareAsync(ZkServiceOptions options, CancellationToken ct)
    {
        if (options.Clustering != ZkClustering.AdoNet) return null;
        var database = options.Database.Resolve(options.DataDir);
        try
        {
            if (options.Database.ApplySchema) await SchemaMigrator.ApplyAsync(database, ct);
            else await SchemaMigrator.VerifyAsync(database, ct);
            return null;
        }
        catch (ZkDatabaseException e)
        {
            return OneLine(e.Message);
        }
    }

    /// <summary>
    /// A start-up failure that came from the database once Orleans was running (it went away
    /// between the schema check and the membership table's first read), named with the database
    /// and its password masked; null for any other failure.
    /// </summary>
    public static string? Explain(Exception e, ZkServiceOptions options)
    {
        if (options.Clustering != ZkClustering.AdoNet) return null;
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is System.Data.Common.DbException or System.Net.Sockets.SocketException)
                return OneLine($"cannot use {options.Database.Resolve(options.DataDir).Describe()}: {x.Message}");
        }
        return null;
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
