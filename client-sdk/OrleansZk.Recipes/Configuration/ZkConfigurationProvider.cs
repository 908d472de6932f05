using System.Text;
using Microsoft.Extensions.Configuration;
using OrleansZk.Client;
using OrleansZk.Recipes.Caches;

namespace OrleansZk.Recipes.Configuration;

/// <summary>
/// A <see cref="IConfigurationSource"/> over a znode subtree: each node below the root is a key
/// (its path relative to the root, '/' read as ':' — <c>/config/app/Db/Host</c> is <c>Db:Host</c>
/// under root <c>/config/app</c>), its data as UTF-8 the value (a node without data is only a section).
/// </summary>
public sealed class ZkConfigurationSource : IConfigurationSource
{
    /// <summary>The session to read through; null: a client of its own from <see cref="ConnectString"/>.</summary>
    public ZkSessionSource? Session { get; set; }

    /// <summary>The service to connect to when <see cref="Session"/> is not given (<see cref="ZkClient.ConnectAsync(string, ZkClientOptions?, CancellationToken)"/>).</summary>
    public string? ConnectString { get; set; }

    /// <summary>The options of that client.</summary>
    public ZkClientOptions? ClientOptions { get; set; }

    /// <summary>The subtree's root.</summary>
    public string Root { get; set; } = "/config";

    /// <summary>When true (default), changes below the root reload the configuration (its reload token fires: <c>IOptionsMonitor</c> sees them).</summary>
    public bool ReloadOnChange { get; set; } = true;

    /// <summary>How long the first load may take before the build fails.</summary>
    public TimeSpan LoadTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <inheritdoc/>
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new ZkConfigurationProvider(this);
}

/// <summary>
/// The provider of <see cref="ZkConfigurationSource"/>: a <see cref="ZkTreeCache"/> of the root,
/// whose every change rebuilds the keys and fires the reload token. Disposed with the configuration root.
/// </summary>
public sealed class ZkConfigurationProvider : ConfigurationProvider, IDisposable
{
    private readonly ZkConfigurationSource _options;
    private ZkSessionSource? _ownSession;
    private ZkTreeCache? _cache;

    /// <summary>A provider for <paramref name="options"/>; it reads in <see cref="Load"/>.</summary>
    public ZkConfigurationProvider(ZkConfigurationSource options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        ZkPaths.Validate(options.Root, "configuration root");
        if (options.Session == null && string.IsNullOrEmpty(options.ConnectString))
            throw new ArgumentException("the configuration source needs a Session or a ConnectString", nameof(options));
    }

    /// <summary>Reads the subtree (the first time: connects and starts watching). Blocks until loaded or <see cref="ZkConfigurationSource.LoadTimeout"/>.</summary>
    /// <exception cref="TimeoutException">Not loaded in time.</exception>
    public override void Load()
    {
        if (_cache == null)
        {
            using var timeout = new CancellationTokenSource(_options.LoadTimeout);
            try
            {
                Task.Run(() => StartAsync(timeout.Token)).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"the configuration under {_options.Root} was not loaded within {_options.LoadTimeout.TotalSeconds:0.#} s");
            }
        }
        Data = Build(_cache!.Current);
    }

    private async Task StartAsync(CancellationToken ct)
    {
        var session = _options.Session;
        if (session == null)
        {
            var options = _options.ClientOptions;
            var first = await ZkClient.ConnectAsync(_options.ConnectString!, options, ct).ConfigureAwait(false);
            var used = false;
            session = _ownSession = new ZkSessionSource(() =>
            {
                if (!used)
                {
                    used = true;
                    return first;
                }
                return ZkClient.ConnectAsync(_options.ConnectString!, options).GetAwaiter().GetResult();
            });
        }
        var cache = new ZkTreeCache(session, _options.Root);
        await cache.StartAsync(ct).ConfigureAwait(false);
        if (_options.ReloadOnChange) cache.Changed += (_, change) =>
        {
            if (change.Type != CacheChangeType.Initialized) Reload();
        };
        _cache = cache;
    }

    private void Reload()
    {
        Data = Build(_cache!.Current);
        OnReload();
    }

    private Dictionary<string, string?> Build(IReadOnlyDictionary<string, ChildData> nodes)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var prefix = _options.Root == "/" ? "/" : _options.Root + "/";
        foreach (var node in nodes.Values)
        {
            if (!node.Path.StartsWith(prefix, StringComparison.Ordinal) || node.Data is not { Length: > 0 } bytes) continue;
            data[node.Path[prefix.Length..].Replace('/', ':')] = Encoding.UTF8.GetString(bytes);
        }
        return data;
    }

    /// <summary>Stops watching; closes the client it made itself.</summary>
    public void Dispose()
    {
        _cache?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _ownSession?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
