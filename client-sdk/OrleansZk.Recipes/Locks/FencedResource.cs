namespace OrleansZk.Recipes.Locks;

/// <summary>
/// The resource side of fencing: admits an act only with a token at least as high as every token
/// it has admitted before, so a holder that lost its lock (paused, cut off, slow) and acts anyway
/// is turned away once a later holder has acted.
/// </summary>
/// <remarks>
/// <para>Keep one per guarded resource (per key), next to the data it guards — in the store's
/// process or, better, in the store itself: the same rule as a conditional write, e.g. in SQL
/// <c>UPDATE t SET v = @v, fence = @token WHERE id = @id AND fence &lt;= @token</c> (zero rows:
/// rejected). Equal tokens are admitted: one holding acts many times with its token.</para>
/// <para>Thread-safe. <see cref="ExecuteAsync"/> runs the act under the check, so a stale act can
/// never interleave with a newer one.</para>
/// </remarks>
public sealed class FencedResource
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _highest = long.MinValue;
    private long _rejected;

    /// <summary>A resource that has admitted no token yet; <paramref name="highest"/> resumes one that has (e.g. read back from the store).</summary>
    public FencedResource(long highest = long.MinValue) => _highest = highest;

    /// <summary>The highest token admitted so far (<see cref="long.MinValue"/> before the first).</summary>
    public long HighestToken => Interlocked.Read(ref _highest);

    /// <summary>How many acts were turned away.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Admits <paramref name="token"/> if it is at least the highest so far (and makes it the highest); false if stale.</summary>
    public bool TryAdmit(long token)
    {
        while (true)
        {
            var highest = Interlocked.Read(ref _highest);
            if (token < highest)
            {
                Interlocked.Increment(ref _rejected);
                return false;
            }
            if (token == highest || Interlocked.CompareExchange(ref _highest, token, highest) == highest) return true;
        }
    }

    /// <summary>Runs <paramref name="act"/> if <paramref name="token"/> is admitted, with no other act of this resource running meanwhile.</summary>
    /// <exception cref="StaleTokenException">The token is lower than one admitted before; the act did not run.</exception>
    public async Task<T> ExecuteAsync<T>(long token, Func<CancellationToken, Task<T>> act, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(act);
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!TryAdmit(token)) throw new StaleTokenException(token, HighestToken);
            return await act(ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>As <see cref="ExecuteAsync{T}"/>, for an act without a result.</summary>
    /// <exception cref="StaleTokenException">The token is lower than one admitted before; the act did not run.</exception>
    public Task ExecuteAsync(long token, Func<CancellationToken, Task> act, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(act);
        return ExecuteAsync(token, async c =>
        {
            await act(c).ConfigureAwait(false);
            return true;
        }, ct);
    }
}

/// <summary>A fenced resource turned an act away: its token is older than one the resource already admitted.</summary>
public sealed class StaleTokenException(long token, long highest)
    : InvalidOperationException($"fencing token {token} is stale: the resource has admitted {highest}")
{
    /// <summary>The rejected token.</summary>
    public long Token { get; } = token;

    /// <summary>The highest token the resource had admitted.</summary>
    public long Highest { get; } = highest;
}
