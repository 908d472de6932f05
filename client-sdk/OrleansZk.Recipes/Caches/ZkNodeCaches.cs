using OrleansZk.Core;

namespace OrleansZk.Recipes.Caches;

/// <summary>
/// A local copy of one node's children and their data (Curator's PathChildrenCache), on a
/// <see cref="ZkTreeCache"/> one level deep: never misses a change, across reconnects and new sessions.
/// </summary>
public sealed class ZkChildrenCache : IAsyncDisposable
{
    private readonly ZkTreeCache _tree;

    /// <summary>A cache of the children of <paramref name="path"/> (which need not exist yet).</summary>
    /// <exception cref="BadArgumentsException">An invalid path.</exception>
    public ZkChildrenCache(ZkSessionSource source, string path)
    {
        _tree = new ZkTreeCache(source, path, maxDepth: 1);
        _tree.Changed += (_, change) =>
        {
            if (change.Type == CacheChangeType.Initialized || change.Node!.Path != Path) Changed?.Invoke(this, change);
        };
    }

    /// <summary>The parent whose children are cached.</summary>
    public string Path => _tree.Root;

    /// <summary>The children now, by name.</summary>
    public IReadOnlyDictionary<string, ChildData> Current => ChildrenOf(_tree.Current);

    /// <summary>Raised for every child added, updated or removed (and once Initialized), in order.</summary>
    public event EventHandler<CacheChange>? Changed;

    /// <summary>Starts the cache and waits for its first load.</summary>
    public Task StartAsync(CancellationToken ct = default) => _tree.StartAsync(ct);

    /// <summary>The children now, then after every change, as snapshots by name.</summary>
    public async IAsyncEnumerable<IReadOnlyDictionary<string, ChildData>> SnapshotsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var tree in _tree.SnapshotsAsync(ct).ConfigureAwait(false)) yield return ChildrenOf(tree);
    }

    private Dictionary<string, ChildData> ChildrenOf(IReadOnlyDictionary<string, ChildData> tree) =>
        tree.Values.Where(n => n.Path != Path).ToDictionary(n => ZkPaths.Name(n.Path), StringComparer.Ordinal);

    /// <summary>Stops the cache.</summary>
    public ValueTask DisposeAsync() => _tree.DisposeAsync();
}

/// <summary>
/// A local copy of one node — data and stat, or absent (Curator's NodeCache), on a
/// <see cref="ZkTreeCache"/> of depth 0: never misses a change, across reconnects and new sessions.
/// </summary>
public sealed class ZkNodeCache : IAsyncDisposable
{
    private readonly ZkTreeCache _tree;

    /// <summary>A cache of the node at <paramref name="path"/> (which need not exist).</summary>
    /// <exception cref="BadArgumentsException">An invalid path.</exception>
    public ZkNodeCache(ZkSessionSource source, string path)
    {
        _tree = new ZkTreeCache(source, path, maxDepth: 0);
        _tree.Changed += (_, change) => Changed?.Invoke(this, change);
    }

    /// <summary>The node's path.</summary>
    public string Path => _tree.Root;

    /// <summary>The node now, or null when it does not exist.</summary>
    public ChildData? Current => _tree.Get(Path);

    /// <summary>Raised when the node is created, changed or deleted (and once Initialized), in order.</summary>
    public event EventHandler<CacheChange>? Changed;

    /// <summary>Starts the cache and waits for its first load.</summary>
    public Task StartAsync(CancellationToken ct = default) => _tree.StartAsync(ct);

    /// <summary>Stops the cache.</summary>
    public ValueTask DisposeAsync() => _tree.DisposeAsync();
}
