using System.Buffers.Binary;
using OrleansZk.Core;
using OrleansZk.Recipes.Shared;

namespace OrleansZk.Recipes.Coordination;

/// <summary>The outcome of an atomic operation (Curator's AtomicValue): whether it took effect, and the values before and after.</summary>
public sealed record AtomicValue(bool Succeeded, long PreValue, long PostValue);

/// <summary>How often and how patiently an atomic operation retries when other clients change the value first.</summary>
/// <param name="MaxAttempts">Attempts in all (at least 1).</param>
/// <param name="BaseDelay">The wait after the first failed attempt; it doubles after each (with jitter), up to <paramref name="MaxDelay"/>.</param>
/// <param name="MaxDelay">The longest wait between attempts.</param>
public sealed record AtomicRetryPolicy(int MaxAttempts, TimeSpan BaseDelay, TimeSpan MaxDelay)
{
    /// <summary>10 attempts, 1 ms doubling to 100 ms.</summary>
    public static AtomicRetryPolicy Default { get; } = new(10, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(100));

    internal TimeSpan DelayBefore(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * (1 << Math.Min(attempt, 20)) * (0.5 + Random.Shared.NextDouble())));
}

/// <summary>
/// A distributed 64-bit counter (Curator's DistributedAtomicLong): one persistent node holding 8
/// bytes, big-endian (Curator's encoding), changed by optimistic compare-and-set at the node's
/// version, retried by an <see cref="AtomicRetryPolicy"/> while others win the race.
/// </summary>
/// <remarks>
/// A result with <see cref="AtomicValue.Succeeded"/> false means the policy's attempts ran out
/// (nothing changed). A lost reply is settled exactly (see <see cref="ZkSharedValue.TrySetValueAsync"/>):
/// retried if the write never happened, reported as ConnectionLoss if its outcome is unknown —
/// never counted twice.
/// </remarks>
public sealed class ZkAtomicLong
{
    private readonly ZkSessionSource _source;
    private readonly AtomicRetryPolicy _retry;

    /// <summary>A counter at <paramref name="path"/> (created with 0 on first use).</summary>
    /// <exception cref="BadArgumentsException">An invalid path.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A policy with fewer than one attempt.</exception>
    public ZkAtomicLong(ZkSessionSource source, string path, AtomicRetryPolicy? retry = null)
    {
        _source = source ?? throw new ArgumentNullException(nameof(source));
        Path = ZkPaths.Validate(path, "counter path");
        _retry = retry ?? AtomicRetryPolicy.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(_retry.MaxAttempts, 1);
    }

    /// <summary>The counter's node.</summary>
    public string Path { get; }

    /// <summary>The value now.</summary>
    public async Task<long> GetAsync(CancellationToken ct = default) =>
        Decode((await VersionedWrite.ReadOrCreateAsync(_source, Path, Encode(0), ct).ConfigureAwait(false)).Data);

    /// <summary>Adds 1.</summary>
    public Task<AtomicValue> IncrementAsync(CancellationToken ct = default) => UpdateAsync(v => v + 1, ct);

    /// <summary>Subtracts 1.</summary>
    public Task<AtomicValue> DecrementAsync(CancellationToken ct = default) => UpdateAsync(v => v - 1, ct);

    /// <summary>Adds <paramref name="delta"/>.</summary>
    public Task<AtomicValue> AddAsync(long delta, CancellationToken ct = default) => UpdateAsync(v => v + delta, ct);

    /// <summary>Sets <paramref name="value"/> whatever the value was.</summary>
    public Task<AtomicValue> TrySetAsync(long value, CancellationToken ct = default) => UpdateAsync(_ => value, ct);

    /// <summary>Sets <paramref name="newValue"/> only if the value is <paramref name="expected"/> (one attempt: a different value is an answer, not a race).</summary>
    public async Task<AtomicValue> CompareAndSetAsync(long expected, long newValue, CancellationToken ct = default)
    {
        var (data, stat) = await VersionedWrite.ReadOrCreateAsync(_source, Path, Encode(0), ct).ConfigureAwait(false);
        var current = Decode(data);
        if (current != expected) return new AtomicValue(false, current, current);
        return await VersionedWrite.TrySetAsync(_source, Path, Encode(newValue), stat.Version, ct).ConfigureAwait(false) != null
            ? new AtomicValue(true, current, newValue)
            : new AtomicValue(false, current, current);
    }

    private async Task<AtomicValue> UpdateAsync(Func<long, long> next, CancellationToken ct)
    {
        long current = 0;
        for (var attempt = 0; attempt < _retry.MaxAttempts; attempt++)
        {
            if (attempt > 0) await Task.Delay(_retry.DelayBefore(attempt - 1), ct).ConfigureAwait(false);
            var (data, stat) = await VersionedWrite.ReadOrCreateAsync(_source, Path, Encode(0), ct).ConfigureAwait(false);
            current = Decode(data);
            var value = next(current);
            if (await VersionedWrite.TrySetAsync(_source, Path, Encode(value), stat.Version, ct).ConfigureAwait(false) != null)
                return new AtomicValue(true, current, value);
        }
        return new AtomicValue(false, current, current);
    }

    private static byte[] Encode(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }

    private static long Decode(byte[]? data) =>
        data is { Length: 8 } ? BinaryPrimitives.ReadInt64BigEndian(data) : data is null or { Length: 0 } ? 0 : throw new FormatException("an atomic long is 8 bytes");
}
