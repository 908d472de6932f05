using OrleansZk.Recipes.Locks;

namespace OrleansZk.Recipes.Leader;

/// <summary>
/// Leader election as a latch (Curator's LeaderLatch): once started, this participant queues and
/// leads when its turn comes, until it closes or loses the leadership — then it queues again.
/// Ask <see cref="HasLeadership"/>, wait with <see cref="AwaitLeadershipAsync"/>, or listen to
/// <see cref="LeadershipChanged"/>.
/// </summary>
/// <remarks>
/// <para>Suspended means "maybe lost": <see cref="IZkLease.IsSuspended"/> turns true and the leader
/// should pause; leadership is lost — <see cref="IZkLease.Lost"/> fires and
/// <see cref="LeadershipChanged"/> reports false — when the session's confirmation is older than
/// the safe bound or the session expires, always before another participant can lead. The
/// leadership's fencing token is strictly greater than every earlier leader's.</para>
/// <para>Layout: <c>{path}/_c_{guid}-latch-{seq}</c>, data = the participant id (Curator's names).</para>
/// </remarks>
public sealed class ZkLeaderLatch : IAsyncDisposable
{
    private readonly ZkLeaderSelector _selector;
    private readonly Lock _lock = new();
    private TaskCompletionSource<IZkLease> _leading = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A latch for the election at <paramref name="path"/>; nothing happens before <see cref="Start"/>.</summary>
    /// <exception cref="OrleansZk.Core.BadArgumentsException">An invalid path.</exception>
    public ZkLeaderLatch(ZkSessionSource source, string path, string participantId = "")
    {
        _selector = new ZkLeaderSelector(source, path, participantId, LeadAsync, "latch-");
    }

    /// <summary>This participant's id.</summary>
    public string ParticipantId => _selector.ParticipantId;

    /// <summary>Whether this participant leads now (checked against the clock).</summary>
    public bool HasLeadership => _selector.HasLeadership;

    /// <summary>The current leadership (fencing token, Lost), or null.</summary>
    public IZkLease? Leadership => _selector.Leadership;

    /// <summary>
    /// Raised with true when this participant becomes leader and false when it stops (lost or
    /// closed), in order, on the thread pool; a handler's exception is ignored.
    /// </summary>
    public event EventHandler<bool>? LeadershipChanged;

    /// <summary>Starts queueing for leadership (once).</summary>
    /// <exception cref="InvalidOperationException">Already started, or closed.</exception>
    public void Start() => _selector.Start();

    /// <summary>Waits until this participant leads; returns the leadership.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled.</exception>
    public Task<IZkLease> AwaitLeadershipAsync(CancellationToken ct = default)
    {
        lock (_lock) return _leading.Task.WaitAsync(ct);
    }

    /// <summary>Waits at most <paramref name="timeout"/> for leadership; null if it did not come.</summary>
    public async Task<IZkLease?> TryAwaitLeadershipAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        try
        {
            return await AwaitLeadershipAsync(ct).WaitAsync(timeout, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>The participants, leader first.</summary>
    public Task<IReadOnlyList<Participant>> GetParticipantsAsync(CancellationToken ct = default) => _selector.GetParticipantsAsync(ct);

    /// <summary>The current leader, or null when there is none.</summary>
    public async Task<Participant?> GetLeaderAsync(CancellationToken ct = default) =>
        (await GetParticipantsAsync(ct).ConfigureAwait(false)).FirstOrDefault();

    private async Task LeadAsync(IZkLease leadership, CancellationToken term)
    {
        lock (_lock) _leading.TrySetResult(leadership);
        Raise(true);
        try
        {
            await Task.Delay(Timeout.Infinite, term).ConfigureAwait(false);
        }
        finally
        {
            lock (_lock)
            {
                if (_leading.Task.IsCompleted) _leading = new TaskCompletionSource<IZkLease>(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            Raise(false);
        }
    }

    private void Raise(bool leading)
    {
        try
        {
            LeadershipChanged?.Invoke(this, leading);
        }
        catch (Exception)
        {
            // A listener's failure is its own.
        }
    }

    /// <summary>Leaves the election (its node is deleted; a leader stops leading).</summary>
    public ValueTask DisposeAsync() => _selector.DisposeAsync();
}
