using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.Recipes;

/// <summary>
/// Protected create (Curator's <c>withProtection</c>): the node's name carries a GUID
/// ("_c_{guid}-name", Curator's layout), so a create whose reply was lost is found afterwards,
/// never made twice and never left behind as an orphan.
/// </summary>
/// <remarks>
/// After a ConnectionLoss the create's outcome is unknown. The client waits until it is connected
/// again, then issues a sync: the service admits a session's requests in order, so once the sync
/// is answered the lost create has either taken effect or never will (a request that arrives after
/// later ones is refused). Only then does it look for the GUID among the parent's children; if it
/// is not there it creates again with the same GUID.
/// </remarks>
public static class ProtectedCreate
{
    /// <summary>The prefix of a protected name: "_c_" + a 36-character GUID + "-".</summary>
    public const string Prefix = "_c_";

    private const int GuidLength = 36;

    /// <summary>Test hook: called right after a protected create is issued (e.g. to lose its reply).</summary>
    internal static Action<ZkClient>? AfterCreateSentForTest;

    /// <summary>A new protection id (a GUID, as text).</summary>
    public static string NewId() => Guid.NewGuid().ToString("D");

    /// <summary>"parent/_c_{id}-name" for <paramref name="path"/> "parent/name".</summary>
    public static string ProtectedPath(string path, string id) => ZkPaths.Join(ZkPaths.Parent(path), Prefix + id + "-" + ZkPaths.Name(path));

    /// <summary>The protection id of a node name, or null if it is not protected.</summary>
    public static string? IdOf(string name) =>
        name.StartsWith(Prefix, StringComparison.Ordinal) && name.Length > Prefix.Length + GuidLength && name[Prefix.Length + GuidLength] == '-'
            ? name.Substring(Prefix.Length, GuidLength)
            : null;

    /// <summary>A node name without its protection ("_c_{id}-lock-0000000001" → "lock-0000000001").</summary>
    public static string Unprotected(string name) => IdOf(name) == null ? name : name[(Prefix.Length + GuidLength + 1)..];

    /// <summary>
    /// Creates <paramref name="path"/> protected with <paramref name="id"/> (parents as containers when
    /// missing), on the session's current client, retrying across connection losses until it is
    /// found or made. Returns the node's actual path and stat.
    /// </summary>
    /// <exception cref="BadArgumentsException">An invalid path.</exception>
    /// <exception cref="SessionExpiredException">The session ended (and, for an ephemeral mode, its node with it).</exception>
    /// <exception cref="ZkException">Any other failure of the create (NodeExists for a non-sequential node that exists, NoAuth, ...).</exception>
    public static async Task<CreateResult> CreateAsync(ZkSessionSource source, string path, byte[]? data, CreateMode mode, string? id = null,
        IReadOnlyList<Acl>? acl = null, CancellationToken ct = default)
    {
        ZkPaths.Validate(path);
        id ??= NewId();
        var target = ProtectedPath(path, id);
        var parent = ZkPaths.Parent(path);
        var zk = await source.ConnectedClientAsync(ct).ConfigureAwait(false);
        while (true)
        {
            try
            {
                var create = zk.CreateWithStatAsync(target, data, acl, mode, ct: ct);
                AfterCreateSentForTest?.Invoke(zk);
                return await create.ConfigureAwait(false);
            }
            catch (NoNodeException) when (parent != "/")
            {
                await Retry.UntilDoneAsync(source, c => ZkPaths.EnsureAsync(c, parent, ct: ct), ct).ConfigureAwait(false);
            }
            catch (ConnectionLossException)
            {
                if (await FindAfterLossAsync(source, zk, parent, id, ct).ConfigureAwait(false) is { } found) return found;
            }
            var next = await source.ConnectedClientAsync(ct).ConfigureAwait(false);
            if (next != zk && mode.IsEphemeral()) throw new SessionExpiredException(target, "the session ended while creating");
            zk = next;
        }
    }

    /// <summary>
    /// After a create on <paramref name="zk"/> may have been lost: settles it (sync) and finds the
    /// node by its id; null when it was never made.
    /// </summary>
    internal static async Task<CreateResult?> FindAfterLossAsync(ZkSessionSource source, ZkClient zk, string parent, string id, CancellationToken ct)
    {
        while (true)
        {
            var current = await source.ConnectedClientAsync(ct).ConfigureAwait(false);
            try
            {
                await current.SyncAsync(parent == "/" ? "/" : parent, ct).ConfigureAwait(false);
                return await FindAsync(current, parent, id, ct).ConfigureAwait(false);
            }
            catch (ConnectionLossException)
            {
                // Lost again: settle again once connected.
            }
            catch (NoNodeException)
            {
                return null;
            }
        }
    }

    /// <summary>The child of <paramref name="parent"/> protected with <paramref name="id"/>, with its stat; null if none.</summary>
    /// <exception cref="NoNodeException">The parent does not exist.</exception>
    public static async Task<CreateResult?> FindAsync(ZkClient zk, string parent, string id, CancellationToken ct = default)
    {
        foreach (var child in await zk.GetChildrenAsync(parent, ct).ConfigureAwait(false))
        {
            if (IdOf(child) != id) continue;
            var path = ZkPaths.Join(parent, child);
            if (await zk.ExistsAsync(path, ct).ConfigureAwait(false) is { } stat) return new CreateResult(path, stat);
        }
        return null;
    }

    /// <summary>
    /// Deletes whatever a protected create with <paramref name="id"/> may have left under
    /// <paramref name="parent"/> (a waiter that gave up after a lost reply): settles first, then
    /// deletes every child with the id. Best effort across connection losses until
    /// <paramref name="ct"/>; an ephemeral left behind goes with its session anyway.
    /// </summary>
    public static async Task DeleteAsync(ZkSessionSource source, string parent, string id, CancellationToken ct = default)
    {
        while (true)
        {
            var zk = await source.ConnectedClientAsync(ct).ConfigureAwait(false);
            try
            {
                await zk.SyncAsync(parent, ct).ConfigureAwait(false);
                foreach (var child in await zk.GetChildrenAsync(parent, ct).ConfigureAwait(false))
                {
                    if (IdOf(child) != id) continue;
                    try
                    {
                        await zk.DeleteAsync(ZkPaths.Join(parent, child), ct: ct).ConfigureAwait(false);
                    }
                    catch (NoNodeException)
                    {
                        // Gone already.
                    }
                }
                return;
            }
            catch (NoNodeException)
            {
                return;
            }
            catch (ConnectionLossException)
            {
                // Settle and look again once connected.
            }
        }
    }
}
