namespace OrleansZk.Recipes.Locks;

/// <summary>
/// A distributed re-entrant read-write lock (Curator's InterProcessReadWriteLock): any number of
/// readers, or one writer; fair (in arrival order: a reader that arrives after a waiting writer
/// waits for it). The owner of <see cref="WriteLock"/> may also take <see cref="ReadLock"/>
/// (downgrading: take the read lock, then release the write lock).
/// </summary>
/// <remarks>
/// Owners as <see cref="ZkMutex"/>: each half is its own owner (this object's halves), so give
/// each actor its own <see cref="ZkReadWriteLock"/>. Fencing tokens: the write lock's are strictly
/// increasing across writers; a read lock's token is its node's zxid, greater than every writer's
/// before it. Layout: <c>{path}/_c_{guid}-__WRIT__{seq}</c> and <c>{path}/_c_{guid}-__READ__{seq}</c>
/// in one sequence (Curator's).
/// </remarks>
public sealed class ZkReadWriteLock
{
    private const string WriteName = "__WRIT__";
    private const string ReadName = "__READ__";

    /// <summary>A read-write lock on the directory <paramref name="path"/>.</summary>
    /// <exception cref="OrleansZk.Core.BadArgumentsException">An invalid path.</exception>
    public ZkReadWriteLock(ZkSessionSource source, string path)
    {
        WriteLock = new ZkMutex(source, path, WriteName, LockQueue.Exclusive);
        ReadLock = new ZkMutex(source, path, ReadName, ReadRule);
    }

    /// <summary>The exclusive half: held alone, by one owner.</summary>
    public ZkMutex WriteLock { get; }

    /// <summary>The shared half: held by any number of owners while no writer holds or waits before them.</summary>
    public ZkMutex ReadLock { get; }

    /// <summary>A reader holds unless a writer is ahead of it; it waits for the last such writer. The write lock's owner reads at once.</summary>
    private (bool, string?) ReadRule(IReadOnlyList<string> sorted, int index)
    {
        if (WriteLock.HeldNode is { } mine && sorted.Contains(ZkPaths.Name(mine))) return (true, null);
        for (var i = index - 1; i >= 0; i--)
        {
            if (IsWriter(sorted[i])) return (false, sorted[i]);
        }
        return (true, null);
    }

    private static bool IsWriter(string name) => ProtectedCreate.Unprotected(name).StartsWith(WriteName, StringComparison.Ordinal);
}
