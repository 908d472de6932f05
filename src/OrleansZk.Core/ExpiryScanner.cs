namespace OrleansZk.Core;

/// <summary>A node the service should delete: the path and the mzxid it had when scanned (the deletion is conditional on it).</summary>
public readonly record struct ExpiredNode(string Path, long Mzxid, bool IsContainer)
{
    /// <summary>The conditional deletion to prepare for this node.</summary>
    public DeleteContainerRequest ToRequest() => new(Path, Mzxid, 0);
}

/// <summary>
/// Finds what ZooKeeper's ContainerManager deletes: containers that have had children and now
/// have none, and childless TTL nodes not modified for longer than their TTL. Pure: the caller
/// passes the time and turns the result into conditional <see cref="DeleteContainerRequest"/>s.
/// </summary>
public static class ExpiryScanner
{
    /// <summary>A TTL node expires when more than its TTL has passed since its last modification (ZooKeeper: elapsed &gt; ttl).</summary>
    public static bool TtlExpired(long mtimeMs, long ttlMs, long nowMs) => nowMs - mtimeMs > ttlMs;

    /// <summary>The nodes to delete at <paramref name="nowMs"/>, sorted by path.</summary>
    public static IReadOnlyList<ExpiredNode> Scan(DataTree tree, long nowMs)
    {
        var result = new List<ExpiredNode>();
        foreach (var path in tree.ContainerPaths)
        {
            var node = tree.GetNode(path)!;
            if (node.Cversion > 0 && node.NumChildren == 0) result.Add(new ExpiredNode(path, node.Mzxid, true));
        }
        foreach (var path in tree.TtlPaths)
        {
            var node = tree.GetNode(path)!;
            if (node.NumChildren == 0 && TtlExpired(node.Mtime, EphemeralOwners.Ttl(node.EphemeralOwner), nowMs))
                result.Add(new ExpiredNode(path, node.Mzxid, false));
        }
        result.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return result;
    }
}
