using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.Recipes;

/// <summary>Path helpers for recipes: validation with ZooKeeper's rules, joining, creating parents.</summary>
public static class ZkPaths
{
    /// <summary>Throws <see cref="BadArgumentsException"/> (ZooKeeper's BadArguments) unless <paramref name="path"/> is a valid znode path.</summary>
    public static string Validate(string path, string? what = null)
    {
        if (path == null) throw new BadArgumentsException(null, (what ?? "path") + " is null");
        if (ZkPath.Check(path) is { } problem) throw new BadArgumentsException(path, (what == null ? "" : what + ": ") + problem);
        return path;
    }

    /// <summary>"/a" + "b" = "/a/b"; "/" + "b" = "/b".</summary>
    public static string Join(string parent, string child) => parent == "/" ? "/" + child : parent + "/" + child;

    /// <summary>The parent of a path ("/" for a top-level node).</summary>
    public static string Parent(string path)
    {
        var i = path.LastIndexOf('/');
        return i <= 0 ? "/" : path[..i];
    }

    /// <summary>The last segment of a path.</summary>
    public static string Name(string path) => path[(path.LastIndexOf('/') + 1)..];

    /// <summary>
    /// Creates every missing node on the way to <paramref name="path"/>, itself included, as
    /// <paramref name="mode"/> (containers by default, as Curator's creatingParentContainersIfNeeded:
    /// the service deletes them once their last child goes). Nodes that exist are left alone.
    /// </summary>
    /// <exception cref="ZkException">A create failed otherwise than NodeExists (NoAuth, ConnectionLoss, ...).</exception>
    public static async Task EnsureAsync(ZkClient zk, string path, CreateMode mode = CreateMode.Container, CancellationToken ct = default)
    {
        Validate(path);
        if (path == "/" || await zk.ExistsAsync(path, ct).ConfigureAwait(false) != null) return;
        var at = 0;
        while (at >= 0)
        {
            at = path.IndexOf('/', at + 1);
            var prefix = at < 0 ? path : path[..at];
            try
            {
                await zk.CreateAsync(prefix, null, mode: mode, ct: ct).ConfigureAwait(false);
            }
            catch (NodeExistsException)
            {
                // There already (or made by a racing client).
            }
        }
    }

    /// <summary>The sequence number of a sequential node's name (its last ten digits), or -1.</summary>
    public static long SequenceOf(string name) =>
        name.Length >= 10 && long.TryParse(name.AsSpan(name.Length - 10), System.Globalization.NumberStyles.None, null, out var seq) ? seq : -1;
}
