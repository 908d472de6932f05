using System.Runtime.CompilerServices;
using OrleansZk.Core;
using OrleansZk.Recipes.Caches;

namespace OrleansZk.Recipes.Discovery;

/// <summary>
/// The instances of one service as this process sees them (Curator's ServiceCache): a
/// <see cref="ZkChildrenCache"/> of <c>{basePath}/{name}</c> kept current by watches — an instance
/// that registers or whose session ends appears or vanishes here within a watch's latency, in the
/// order the changes were made.
/// </summary>
public sealed class ZkServiceDiscovery : IAsyncDisposable
{
    private readonly ZkChildrenCache _cache;

    /// <summary>Discovery of <paramref name="serviceName"/> under <paramref name="basePath"/>; nothing is read before <see cref="StartAsync"/>.</summary>
    /// <exception cref="BadArgumentsException">An invalid path or name.</exception>
    public ZkServiceDiscovery(ZkSessionSource source, string basePath, string serviceName)
    {
        ZkPaths.Validate(basePath, "registry path");
        if (string.IsNullOrEmpty(serviceName) || serviceName.Contains('/')) throw new BadArgumentsException(null, "a service name is one node name");
        ServiceName = serviceName;
        _cache = new ZkChildrenCache(source, ZkPaths.Join(basePath, serviceName));
        _cache.Changed += (_, change) => Changed?.Invoke(this,
            new ServiceChange(change.Type, change.Node is { } n ? ZkPaths.Name(n.Path) : null, ServiceInstance.FromJson(change.Node?.Data)));
    }

    /// <summary>The service discovered.</summary>
    public string ServiceName { get; }

    /// <summary>The instances now, oldest registration first.</summary>
    public IReadOnlyList<ServiceInstance> Instances => ToInstances(_cache.Current);

    /// <summary>Raised for every instance that appears, changes or vanishes, in order (and once Initialized).</summary>
    public event EventHandler<ServiceChange>? Changed;

    /// <summary>Starts watching and waits for the first list.</summary>
    public Task StartAsync(CancellationToken ct = default) => _cache.StartAsync(ct);

    /// <summary>The instances now, then after every change.</summary>
    public async IAsyncEnumerable<IReadOnlyList<ServiceInstance>> SnapshotsAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var children in _cache.SnapshotsAsync(ct).ConfigureAwait(false)) yield return ToInstances(children);
    }

    /// <summary>A provider choosing among the current instances by <paramref name="strategy"/>.</summary>
    public IInstanceProvider Provider(ProviderStrategy strategy = ProviderStrategy.RoundRobin) => strategy switch
    {
        ProviderStrategy.RoundRobin => new RoundRobinProvider(this),
        ProviderStrategy.Random => new RandomProvider(this),
        ProviderStrategy.Sticky => new StickyProvider(new RoundRobinProvider(this)),
        _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "unknown strategy"),
    };

    private static List<ServiceInstance> ToInstances(IReadOnlyDictionary<string, ChildData> children) =>
        [.. children.Values
            .Select(c => (c.Stat.Czxid, Instance: ServiceInstance.FromJson(c.Data)))
            .Where(x => x.Instance != null)
            .OrderBy(x => x.Czxid)
            .Select(x => x.Instance!)];

    /// <summary>Stops watching.</summary>
    public ValueTask DisposeAsync() => _cache.DisposeAsync();
}

/// <summary>
/// A change of a discovered service: the instance's id (its node's name; null for Initialized) and
/// the instance after it (the one that vanished for NodeRemoved; null when its data is not an
/// instance, or it went before it could be read).
/// </summary>
public sealed record ServiceChange(CacheChangeType Type, string? Id, ServiceInstance? Instance);

/// <summary>How a provider chooses an instance.</summary>
public enum ProviderStrategy
{
    /// <summary>Each in turn.</summary>
    RoundRobin,

    /// <summary>Any, at random.</summary>
    Random,

    /// <summary>The same one for as long as it is registered, then the next (round robin).</summary>
    Sticky,
}

/// <summary>Chooses one instance of a discovered service (Curator's ProviderStrategy).</summary>
public interface IInstanceProvider
{
    /// <summary>An instance, or null when none is registered. Thread-safe.</summary>
    ServiceInstance? GetInstance();
}

internal sealed class RoundRobinProvider(ZkServiceDiscovery discovery) : IInstanceProvider
{
    private int _next = -1;

    public ZkServiceDiscovery Discovery { get; } = discovery;

    public ServiceInstance? GetInstance()
    {
        var all = Discovery.Instances;
        return all.Count == 0 ? null : all[(int)((uint)Interlocked.Increment(ref _next) % (uint)all.Count)];
    }
}

internal sealed class RandomProvider(ZkServiceDiscovery discovery) : IInstanceProvider
{
    public ServiceInstance? GetInstance()
    {
        var all = discovery.Instances;
        return all.Count == 0 ? null : all[Random.Shared.Next(all.Count)];
    }
}

internal sealed class StickyProvider(RoundRobinProvider next) : IInstanceProvider
{
    private readonly RoundRobinProvider _next = next;
    private ServiceInstance? _current;

    public ServiceInstance? GetInstance()
    {
        lock (_next)
        {
            var all = CurrentOf(_next);
            if (_current != null && all.Any(i => i.Id == _current.Id)) return _current;
            return _current = _next.GetInstance();
        }
    }

    private static IReadOnlyList<ServiceInstance> CurrentOf(RoundRobinProvider provider) => provider.Discovery.Instances;
}
