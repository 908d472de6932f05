using Microsoft.Extensions.Options;
using Orleans;

namespace OrleansZk.Grains;

/// <summary>
/// What this silo knows of the ensemble: the voting replicas (its settings) and the leader as last
/// learnt — from its own replica's role changes, from the leader's deliveries to partitions here, or
/// by asking the replicas (<see cref="FindAsync"/>). One per silo; thread-safe.
/// </summary>
public sealed class EnsembleDirectory(IOptions<ZkServiceOptions> options, IGrainFactory grains, ReplicaSilos silos)
{
    /// <summary>How long one replica may take to report its status when the directory asks.</summary>
    private static readonly TimeSpan StatusTimeout = TimeSpan.FromSeconds(2);

    private readonly Lock _lock = new();
    private long? _leader;
    private long _epoch;
    private Task<LeaderInfo>? _asking;

    public ZkServiceOptions Options { get; } = options.Value;

    /// <summary>The leader as last learnt (null: unknown, or an election is in progress).</summary>
    public long? Leader
    {
        get { lock (_lock) return _leader; }
    }

    /// <summary>Records what a replica or a delivery said: <paramref name="leader"/> leads <paramref name="epoch"/> (null: looking). Older news is ignored.</summary>
    public void Report(long? leader, long epoch)
    {
        lock (_lock)
        {
            if (epoch < _epoch) return;
            (_leader, _epoch) = (leader, epoch);
        }
    }

    /// <summary>
    /// The leader: as last learnt, or (when unknown, or <paramref name="refresh"/>) as the replicas
    /// report it — a serving leader of the newest epoch, else a replica leading it, else the one a
    /// majority of answering replicas follow; none during an election. Concurrent callers share one round.
    /// </summary>
    /// <remarks>
    /// The round starts after the lock is released: sending a grain call takes the target
    /// activation's lock, and Orleans holds that lock while it starts an activation — whose
    /// <c>OnActivateAsync</c> may <see cref="Report"/> here (a replica that leads at once). Asking
    /// under our lock deadlocked a restarted silo that way, both threads waiting for good.
    /// </remarks>
    public Task<LeaderInfo> FindAsync(bool refresh)
    {
        TaskCompletionSource<LeaderInfo> round;
        lock (_lock)
        {
            if (!refresh && _leader != null) return Task.FromResult(Info(_leader, _epoch));
            if (_asking is { IsCompleted: false }) return _asking;
            round = new TaskCompletionSource<LeaderInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
            _asking = round.Task;
        }
        _ = AskAsync().ContinueWith(static (asked, r) => ((TaskCompletionSource<LeaderInfo>)r!).TrySetFromTask(asked), round,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return round.Task;
    }

    /// <summary>Every configured replica's status; one that does not answer in time is reported unreachable.</summary>
    public async Task<IReadOnlyList<ReplicaStatus>> StatusAllAsync() =>
        await Task.WhenAll(Options.EnsembleIds.Select(StatusOfAsync));

    /// <summary>
    /// Asks every replica and decides once a majority has answered and one of them serves as leader
    /// (a frozen replica must not hold the answer up for the whole status timeout), or else once all
    /// have: a serving leader of the newest epoch, else a replica leading it, else the one a majority
    /// follow. (A deposed leader that has just run again may still think it serves; the real one
    /// answers among the majority, with a newer epoch.)
    /// </summary>
    private async Task<LeaderInfo> AskAsync()
    {
        var asking = Options.EnsembleIds.Select(StatusOfAsync).ToList();
        var statuses = new List<ReplicaStatus>();
        var majority = Options.EnsembleIds.Count / 2 + 1;
        while (asking.Count > 0 && !(statuses.Count >= majority && statuses.Any(IsServing)))
        {
            var done = await Task.WhenAny(asking);
            asking.Remove(done);
            statuses.Add(await done);
        }
        var live = statuses.Where(s => s.Reachable).ToList();
        var leading = live.Where(s => s.Role == "Leading").OrderByDescending(s => s.Serving).ThenByDescending(s => s.Epoch).FirstOrDefault();
        long? leader = leading?.ReplicaId;
        long epoch = leading?.Epoch ?? 0;
        if (leader == null)
        {
            var followed = live.Where(s => s.Role == "Following" && s.LeaderId != null).GroupBy(s => (s.LeaderId, s.Epoch)).MaxBy(g => g.Count());
            if (followed != null && followed.Count() * 2 > Options.EnsembleIds.Count) (leader, epoch) = (followed.Key.LeaderId, followed.Key.Epoch);
        }
        lock (_lock)
        {
            if (epoch >= _epoch || leader == null) (_leader, _epoch) = (leader, Math.Max(epoch, _epoch));
            return Info(_leader, _epoch);
        }
    }

    private static bool IsServing(ReplicaStatus s) => s is { Reachable: true, Role: "Leading", Serving: true };

    private async Task<ReplicaStatus> StatusOfAsync(long id)
    {
        if (!silos.IsUp(id)) return Unreachable(id, $"no active silo in the cluster is configured with {ZkServiceOptions.SectionName}:ReplicaId = {id}");
        try
        {
            return await grains.GetGrain<IZkReplicaGrain>(id).GetStatus().WaitAsync(StatusTimeout);
        }
        catch (Exception e)
        {
            return Unreachable(id, e is TimeoutException ? $"no answer within {StatusTimeout.TotalSeconds:0} s" : e.Message);
        }
    }

    private static ReplicaStatus Unreachable(long id, string why) =>
        new(id, false, "Unreachable", "", null, 0, 0, 0, 0, 0, 0, false, [], 0, 0, 0, 0, why);

    private LeaderInfo Info(long? leader, long epoch) =>
        new(leader, epoch, Options.EnsembleIds, Options.Partitions, Options.MaxDataBytes);
}

/// <summary>
/// Finds the leader from whichever silo the caller reaches (a stateless worker: it runs where it is
/// called, on that silo's <see cref="EnsembleDirectory"/>).
/// </summary>
[Orleans.Concurrency.StatelessWorker]
public sealed class ZkServiceGrain(EnsembleDirectory directory, ReplicaSilos silos) : Grain, IZkServiceGrain
{
    public Task<LeaderInfo> FindLeader(bool refresh) => directory.FindAsync(refresh);

    public Task<IReadOnlyList<ReplicaStatus>> GetEnsembleStatus() => directory.StatusAllAsync();

    public Task<IReadOnlyList<string>> GetActiveGateways() => Task.FromResult(silos.ActiveGateways());
}
