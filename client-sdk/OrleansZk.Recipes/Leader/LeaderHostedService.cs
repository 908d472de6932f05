using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansZk.Recipes.Locks;

namespace OrleansZk.Recipes.Leader;

/// <summary>
/// The leadership of a leader-only worker <typeparamref name="TWorker"/>, for the worker (and
/// anyone else) to inject: the current term's fencing token and Lost signal.
/// </summary>
public sealed class LeaderElection<TWorker>
    where TWorker : BackgroundService
{
    private IZkLease? _current;

    /// <summary>The current leadership, or null while this process does not lead.</summary>
    public IZkLease? Current
    {
        get => Volatile.Read(ref _current);
        internal set => Volatile.Write(ref _current, value);
    }

    /// <summary>Whether this process leads now (checked against the clock).</summary>
    public bool HasLeadership => Current is { IsLost: false };

    /// <summary>How many terms this process has led.</summary>
    public int Terms { get; internal set; }
}

/// <summary>
/// Runs <typeparamref name="TWorker"/> only on the leader of the election at a path: the process
/// queues with a <see cref="ZkLeaderSelector"/>; each time it leads it makes a new worker (from the
/// container), starts it, and stops it — its stopping token cancelled — when leadership is lost or
/// the host stops; then it queues again.
/// </summary>
internal sealed class LeaderOnlyHostedService<TWorker>(IServiceProvider services, ZkSessionSource source, string path, string participantId,
    LeaderElection<TWorker> election) : BackgroundService
    where TWorker : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var selector = new ZkLeaderSelector(source, path, participantId, LeadAsync);
        selector.Start();
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The host is stopping: disposing the selector ends the term.
        }
    }

    private async Task LeadAsync(IZkLease leadership, CancellationToken term)
    {
        election.Current = leadership;
        election.Terms++;
        var worker = ActivatorUtilities.CreateInstance<TWorker>(services);
        try
        {
            await worker.StartAsync(term).ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, term).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Lost or stopping: stop the worker.
            }
            using var stopBound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await worker.StopAsync(stopBound.Token).ConfigureAwait(false);
        }
        finally
        {
            election.Current = null;
            worker.Dispose();
        }
    }
}

/// <summary>Registers leader-only hosted services.</summary>
public static class LeaderHostingExtensions
{
    /// <summary>
    /// Runs <typeparamref name="TWorker"/> (a <see cref="BackgroundService"/>, made anew from the
    /// container for each term) only while this process leads the election at
    /// <paramref name="electionPath"/>; its stopping token is cancelled when leadership is lost.
    /// Needs a <see cref="ZkSessionSource"/> in the container (<see cref="RecipesServiceCollectionExtensions.AddOrleansZkRecipes"/>).
    /// The worker may inject <see cref="LeaderElection{TWorker}"/> for the term's fencing token.
    /// </summary>
    /// <exception cref="OrleansZk.Core.BadArgumentsException">An invalid path.</exception>
    public static IServiceCollection AddLeaderOnlyHostedService<TWorker>(this IServiceCollection services, string electionPath, string? participantId = null)
        where TWorker : BackgroundService
    {
        ZkPaths.Validate(electionPath, "election path");
        var id = participantId ?? $"{Environment.MachineName}:{Environment.ProcessId}";
        services.AddSingleton<LeaderElection<TWorker>>();
        services.AddHostedService(sp => new LeaderOnlyHostedService<TWorker>(sp, sp.GetRequiredService<ZkSessionSource>(), electionPath, id,
            sp.GetRequiredService<LeaderElection<TWorker>>()));
        return services;
    }
}
