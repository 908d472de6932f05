using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.Recipes.Shared;

/// <summary>A value with the node version it was read at (Curator's VersionedValue).</summary>
public sealed record VersionedValue<T>(int Version, T Value);

/// <summary>
/// The compare-and-set under the shared value, count and atomic long: setData at an expected
/// version, safe across a lost reply.
/// </summary>
internal static class VersionedWrite
{
    /// <summary>
    /// Sets <paramref name="path"/> to <paramref name="data"/> if its version is still
    /// <paramref name="expectedVersion"/>; the new stat, or null when the version had moved. After a
    /// ConnectionLoss it settles (a sync: the lost write has taken effect or never will) and reads
    /// the node: still at the expected version means the write never happened, and it is sent again;
    /// any other version leaves the outcome unknown (the write may be the one that moved it), which
    /// is reported rather than guessed.
    /// </summary>
    /// <exception cref="ConnectionLossException">The outcome is unknown.</exception>
    /// <exception cref="NoNodeException">The node does not exist.</exception>
    public static async Task<Stat?> TrySetAsync(ZkSessionSource source, string path, byte[] data, int expectedVersion, CancellationToken ct)
    {
        while (true)
        {
            var zk = await source.ConnectedClientAsync(ct).ConfigureAwait(false);
            try
            {
                return await zk.SetDataAsync(path, data, expectedVersion, ct).ConfigureAwait(false);
            }
            catch (BadVersionException)
            {
                return null;
            }
            catch (ConnectionLossException)
            {
                var settled = await Retry.UntilDoneAsync(source, async c =>
                {
                    await c.SyncAsync(path, ct).ConfigureAwait(false);
                    return await c.ExistsAsync(path, ct).ConfigureAwait(false);
                }, ct).ConfigureAwait(false);
                if (settled?.Version != expectedVersion)
                    throw new ConnectionLossException(path, $"the outcome of a compare-and-set at version {expectedVersion} is unknown: the node moved to version {settled?.Version} meanwhile");
            }
        }
    }

    /// <summary>Reads the node, creating it (and its parents, as persistent nodes) with <paramref name="initial"/> when missing.</summary>
    public static Task<DataResult> ReadOrCreateAsync(ZkSessionSource source, string path, byte[] initial, CancellationToken ct) =>
        Retry.UntilDoneAsync(source, async zk =>
        {
            while (true)
            {
                try
                {
                    return await zk.GetDataAsync(path, ct).ConfigureAwait(false);
                }
                catch (NoNodeException)
                {
                    await ZkPaths.EnsureAsync(zk, ZkPaths.Parent(path), CreateMode.Persistent, ct).ConfigureAwait(false);
                    try
                    {
                        await zk.CreateAsync(path, initial, ct: ct).ConfigureAwait(false);
                    }
                    catch (NodeExistsException)
                    {
                        // Made by another client (or by our lost attempt): read it.
                    }
                }
            }
        }, ct);
}
