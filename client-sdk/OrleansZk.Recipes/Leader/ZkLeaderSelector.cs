using System.Text;
using OrleansZk.Client;
using OrleansZk.Core;
using OrleansZk.Recipes.Locks;

namespace OrleansZk.Recipes.Leader;

/// <summary>
/// Leader election by callback (Curator's LeaderSelector): participants queue on a lock; the one
/// that holds it runs <c>takeLeadership</c>, whose token is cancelled when leadership is lost (the
/// safe bound passed, the session expired) or the selector closes. Leadership ends when the
/// callback returns; with <see cref="AutoRequeue"/> (the default) the participant queues again.
/// </summary>
/// <remarks>
/// <para>No two callbacks run at once across participants, provided each stops when its token is
/// cancelled; the leadership's fencing token (strictly increasing across leaders) lets a resource
/// reject a leader that did not. A callback that throws ends its leadership like one that returns.</para>
/// <para>Layout: <c>{path}/_c_{guid}-lock-{seq}</c>, data = the participant id (UTF-8), as Curator's.</para>
/// </remarks>
public sealed class ZkLeaderSelector : IAsyncDisposable
{
    private readonly ZkSessionSource _source;
    private readonly ZkMutex _mutex;
    private readonly Func<IZkLease, CancellationToken, Task> _takeLeadership;
    private readonly CancellationTokenSource _closed = new();
    private readonly Lock _lock = new();
    private Task _running = Task.CompletedTask;
    private bool _started;
    private IZkLease? _leadership;

    /// <summary>A selector for the election at <paramref name="path"/>; nothing happens before <see cref="Start"/>.</summary>
    /// <param name="source">The session.</param>
    /// <param name="path">The election's directory.</param>
    /// <param name="participantId">This participant's id, stored in its node (see <see cref="ZkElection.GetParticipantsAsync"/>).</param>
    /// <param name="takeLeadership">Runs while this participant leads; its token is cancelled when leadership is lost or the selector closes.</param>
    /// <exception cref="BadArgumentsException">An invalid path.</exception>
    public ZkLeaderSelector(ZkSessionSource source, string path, string participantId, Func<IZkLease, CancellationToken, Task> takeLeadership)
        : this(source, path, participantId, takeLeadership, "lock-")
    {
    }

    internal ZkLeaderSelector(ZkSessionSource source, string path, string participantId, Func<IZkLease, CancellationToken, Task> takeLeadership, string nodeName)
    {
        _source = source ?? throw new ArgumentNullException(nameof(source));
        ArgumentNullException.ThrowIfNull(participantId);
        _takeLeadership = takeLeadership ?? throw new ArgumentNullException(nameof(takeLeadership));
        _mutex = new ZkMutex(source, path, nodeName, LockQueue.Exclusive, Encoding.UTF8.GetBytes(participantId));
        ParticipantId = participantId;
    }

    /// <summary>This participant's id.</summary>
    public string ParticipantId { get; }

    /// <summary>The election's directory.</summary>
    public string Path => _mutex.Path;

    /// <summary>Queue again after leadership ends (default true); false: lead at most once.</summary>
    public bool AutoRequeue { get; set; } = true;

    /// <summary>Whether this participant leads now (its leadership not lost, checked against the clock).</summary>
    public bool HasLeadership => Volatile.Read(ref _leadership) is { IsLost: false };

    /// <summary>The current leadership (token, Lost), or null.</summary>
    public IZkLease? Leadership => Volatile.Read(ref _leadership);

    /// <summary>How many times this participant has led.</summary>
    public int Terms { get; private set; }

    /// <summary>A callback failed (it is logged nowhere else); its leadership ended.</summary>
    public event EventHandler<Exception>? CallbackFailed;

    /// <summary>Starts queueing for leadership (once).</summary>
    /// <exception cref="InvalidOperationException">Already started, or closed.</exception>
    public void Start()
    {
        lock (_lock)
        {
            if (_started || _closed.IsCancellationRequested) throw new InvalidOperationException("a selector starts once");
            _started = true;
            _running = Task.Run(RunAsync);
        }
    }

    /// <summary>The participants, leader first (<see cref="ZkElection.GetParticipantsAsync"/>).</summary>
    public Task<IReadOnlyList<Participant>> GetParticipantsAsync(CancellationToken ct = default) => ZkElection.GetParticipantsAsync(_source, Path, ct);

    private async Task RunAsync()
    {
        var ct = _closed.Token;
        do
        {
            try
            {
                await using var held = await _mutex.AcquireAsync(ct).ConfigureAwait(false);
                Volatile.Write(ref _leadership, held);
                Terms++;
                using var term = CancellationTokenSource.CreateLinkedTokenSource(ct, held.Lost);
                try
                {
                    await _takeLeadership(held, term.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !term.IsCancellationRequested)
                {
                    CallbackFailed?.Invoke(this, e);
                }
                catch (OperationCanceledException)
                {
                    // Leadership lost or the selector closed: the callback stopped as asked.
                }
                finally
                {
                    Volatile.Write(ref _leadership, null);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (ZkException) when (_source.Renews || !_source.Client.State.IsFinal())
            {
                // Lost contact or the session while queueing: queue again on the (new) session.
            }
            catch (ZkException)
            {
                return; // The session ended for good.
            }
        }
        while (AutoRequeue && !ct.IsCancellationRequested);
    }

    /// <summary>Stops: cancels a running callback, waits for it, and leaves the election.</summary>
    public async ValueTask DisposeAsync()
    {
        Task running;
        lock (_lock)
        {
            if (_closed.IsCancellationRequested) return;
            _closed.Cancel();
            running = _running;
        }
        await running.ConfigureAwait(false);
    }
}

/// <summary>A participant of an election: its id, its node, and whether it leads.</summary>
public sealed record Participant(string Id, string Node, bool IsLeader);

/// <summary>Reading an election's participants (shared by the latch and the selector).</summary>
public static class ZkElection
{
    /// <summary>
    /// The participants of the election at <paramref name="path"/> in queue order, the leader first
    /// (Curator's getParticipants): each node's data is its participant id.
    /// </summary>
    public static Task<IReadOnlyList<Participant>> GetParticipantsAsync(ZkSessionSource source, string path, CancellationToken ct = default)
    {
        ZkPaths.Validate(path, "election path");
        return Retry.UntilDoneAsync<IReadOnlyList<Participant>>(source, async zk =>
        {
            IReadOnlyList<string> children;
            try
            {
                children = await zk.GetChildrenAsync(path, ct).ConfigureAwait(false);
            }
            catch (NoNodeException)
            {
                return [];
            }
            var result = new List<Participant>();
            foreach (var child in LockQueue.Sorted(children))
            {
                var node = ZkPaths.Join(path, child);
                try
                {
                    var data = (await zk.GetDataAsync(node, ct).ConfigureAwait(false)).Data;
                    result.Add(new Participant(data == null ? "" : Encoding.UTF8.GetString(data), node, result.Count == 0));
                }
                catch (NoNodeException)
                {
                    // Left meanwhile.
                }
            }
            return result;
        }, ct);
    }
}
