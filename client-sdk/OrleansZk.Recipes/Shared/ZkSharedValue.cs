using System.Buffers.Binary;
using OrleansZk.Core;
using OrleansZk.Recipes.Caches;

namespace OrleansZk.Recipes.Shared;

/// <summary>
/// A value every participant sees (Curator's SharedValue): the data of one persistent node, kept
/// current by a <see cref="ZkNodeCache"/>, changed unconditionally or by versioned compare-and-set.
/// </summary>
public sealed class ZkSharedValue : IAsyncDisposable
{
    private readonly ZkSessionSource _source;
    private readonly byte[] _seed;
    private readonly ZkNodeCache _cache;

    /// <summary>A shared value at <paramref name="path"/>, created with <paramref name="seed"/> if missing when started.</summary>
    /// <exception cref="BadArgumentsException">An invalid path.</exception>
    public ZkSharedValue(ZkSessionSource source, string path, byte[] seed)
    {
        _source = source ?? throw new ArgumentNullException(nameof(source));
        _seed = seed ?? throw new ArgumentNullException(nameof(seed));
        _cache = new ZkNodeCache(source, path);
        _cache.Changed += (_, change) =>
        {
            if (change is { Type: CacheChangeType.NodeAdded or CacheChangeType.NodeUpdated, Node: { } n }) Changed?.Invoke(this, new VersionedValue<byte[]>(n.Stat.Version, n.Data ?? []));
        };
    }

    /// <summary>The node.</summary>
    public string Path => _cache.Path;

    /// <summary>The value as last seen, with its version.</summary>
    /// <exception cref="InvalidOperationException">Not started, or the node was deleted.</exception>
    public VersionedValue<byte[]> Current => _cache.Current is { } n ? new(n.Stat.Version, n.Data ?? []) : throw new InvalidOperationException($"shared value {Path} is not started or was deleted");

    /// <summary>Raised with every new value, in order.</summary>
    public event EventHandler<VersionedValue<byte[]>>? Changed;

    /// <summary>Creates the node if missing and starts watching it.</summary>
    public async Task StartAsync(CancellationToken ct = default)
    {
        await VersionedWrite.ReadOrCreateAsync(_source, Path, _seed, ct).ConfigureAwait(false);
        await _cache.StartAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Sets the value whatever it was.</summary>
    public Task SetValueAsync(byte[] value, CancellationToken ct = default) =>
        Retry.UntilDoneAsync(_source, zk => zk.SetDataAsync(Path, value ?? throw new ArgumentNullException(nameof(value)), ct: ct), ct);

    /// <summary>Sets the value only if it is still at <paramref name="previous"/>'s version; false if another change came first.</summary>
    /// <exception cref="Core.ConnectionLossException">The connection was lost and the outcome is unknown.</exception>
    public async Task<bool> TrySetValueAsync(VersionedValue<byte[]> previous, byte[] value, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(value);
        return await VersionedWrite.TrySetAsync(_source, Path, value, previous.Version, ct).ConfigureAwait(false) != null;
    }

    /// <summary>Stops watching (the node stays).</summary>
    public ValueTask DisposeAsync() => _cache.DisposeAsync();
}

/// <summary>
/// A shared integer (Curator's SharedCount): a <see cref="ZkSharedValue"/> holding 4 bytes,
/// big-endian (Curator's encoding).
/// </summary>
public sealed class ZkSharedCount : IAsyncDisposable
{
    private readonly ZkSharedValue _value;

    /// <summary>A shared count at <paramref name="path"/>, created with <paramref name="seed"/> if missing when started.</summary>
    public ZkSharedCount(ZkSessionSource source, string path, int seed)
    {
        _value = new ZkSharedValue(source, path, Encode(seed));
        _value.Changed += (_, v) => Changed?.Invoke(this, Decode(v));
    }

    /// <summary>The count as last seen, with its version.</summary>
    public VersionedValue<int> Current => Decode(_value.Current);

    /// <summary>The count as last seen.</summary>
    public int Count => Current.Value;

    /// <summary>Raised with every new count, in order.</summary>
    public event EventHandler<VersionedValue<int>>? Changed;

    /// <summary>Creates the node if missing and starts watching it.</summary>
    public Task StartAsync(CancellationToken ct = default) => _value.StartAsync(ct);

    /// <summary>Sets the count whatever it was.</summary>
    public Task SetCountAsync(int count, CancellationToken ct = default) => _value.SetValueAsync(Encode(count), ct);

    /// <summary>Sets the count only if it is still at <paramref name="previous"/>'s version; false if another change came first.</summary>
    public Task<bool> TrySetCountAsync(VersionedValue<int> previous, int count, CancellationToken ct = default) =>
        _value.TrySetValueAsync(new VersionedValue<byte[]>((previous ?? throw new ArgumentNullException(nameof(previous))).Version, []), Encode(count), ct);

    private static byte[] Encode(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static VersionedValue<int> Decode(VersionedValue<byte[]> v) =>
        new(v.Version, v.Value.Length == 4 ? BinaryPrimitives.ReadInt32BigEndian(v.Value) : throw new FormatException("a shared count is 4 bytes"));

    /// <summary>Stops watching.</summary>
    public ValueTask DisposeAsync() => _value.DisposeAsync();
}
