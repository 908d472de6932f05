namespace OrleansZk.Recipes.Locks;

/// <summary>
/// Several locks taken as one (Curator's InterProcessMultiLock): all of them or none. They are
/// taken in the order of their paths, whatever order they were given in, so two multi-locks over
/// overlapping sets cannot deadlock each other; if one cannot be had, those already taken are
/// released.
/// </summary>
public sealed class ZkMultiLock
{
    private readonly IReadOnlyList<ZkMutex> _locks;

    /// <summary>A multi-lock over <paramref name="locks"/> (at least one; each path once).</summary>
    /// <exception cref="ArgumentException">No locks, or two on the same path.</exception>
    public ZkMultiLock(IEnumerable<ZkMutex> locks)
    {
        ArgumentNullException.ThrowIfNull(locks);
        _locks = [.. locks.OrderBy(l => l.Path, StringComparer.Ordinal)];
        if (_locks.Count == 0) throw new ArgumentException("a multi-lock needs at least one lock", nameof(locks));
        if (_locks.Select(l => l.Path).Distinct().Count() != _locks.Count) throw new ArgumentException("a multi-lock takes each path once", nameof(locks));
    }

    /// <summary>A multi-lock over a <see cref="ZkMutex"/> per path, on <paramref name="source"/>.</summary>
    public ZkMultiLock(ZkSessionSource source, IEnumerable<string> paths)
        : this((paths ?? throw new ArgumentNullException(nameof(paths))).Select(p => new ZkMutex(source, p)))
    {
    }

    /// <summary>Waits for every lock with no deadline.</summary>
    public async Task<ZkMultiLockHandle> AcquireAsync(CancellationToken ct = default) => (await TryAcquireAsync(Timeout.InfiniteTimeSpan, ct).ConfigureAwait(false))!;

    /// <summary>Waits for every lock, for at most <paramref name="timeout"/> in all; null (holding none) when they were not all had in time.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative timeout (other than <see cref="Timeout.InfiniteTimeSpan"/>).</exception>
    public async Task<ZkMultiLockHandle?> TryAcquireAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        var deadline = Deadline.After(timeout);
        var held = new List<ZkLockHandle>();
        try
        {
            foreach (var mutex in _locks)
            {
                var handle = await mutex.TryAcquireAsync(Deadline.Left(deadline), ct).ConfigureAwait(false);
                if (handle == null) break;
                held.Add(handle);
            }
            if (held.Count == _locks.Count)
            {
                var all = new ZkMultiLockHandle(held);
                held = [];
                return all;
            }
            return null;
        }
        finally
        {
            // All or none: give back what was taken.
            for (var i = held.Count - 1; i >= 0; i--) await held[i].DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>Every lock of a <see cref="ZkMultiLock"/>: dispose to release them all (in reverse order).</summary>
public sealed class ZkMultiLockHandle : IAsyncDisposable
{
    private readonly CancellationTokenSource _lost;

    internal ZkMultiLockHandle(IReadOnlyList<ZkLockHandle> handles)
    {
        Handles = handles;
        _lost = CancellationTokenSource.CreateLinkedTokenSource([.. handles.Select(h => h.Lost)]);
    }

    /// <summary>One handle per lock, in path order; each has its own fencing token.</summary>
    public IReadOnlyList<ZkLockHandle> Handles { get; }

    /// <summary>Cancelled when any of the locks is lost or released.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>Whether any of the locks is lost now (checked against the clock).</summary>
    public bool IsLost => Handles.Any(h => h.IsLost);

    /// <summary>Releases every lock (idempotent).</summary>
    public async ValueTask DisposeAsync()
    {
        for (var i = Handles.Count - 1; i >= 0; i--) await Handles[i].DisposeAsync().ConfigureAwait(false);
        _lost.Dispose();
    }
}
