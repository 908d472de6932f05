using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansZk.Recipes.Leader;
using OrleansZk.Recipes.Locks;
using OrleansZk.Recipes.Tests.Support;

namespace OrleansZk.Recipes.Tests;

/// <summary>Leader latch, selector and the leader-only hosted service; never two leaders acting at once.</summary>
public sealed class LeaderTests(RecipeCluster cluster) : RecipeTest(cluster)
{
    [Fact]
    public async Task A_latch_leads_until_closed_then_the_next_participant_leads_with_a_greater_token()
    {
        var path = P("election");
        var first = Own(new ZkLeaderLatch(NewClient(), path, "first"));
        var second = Own(new ZkLeaderLatch(NewClient(), path, "second"));
        var changes = new List<bool>();
        first.LeadershipChanged += (_, leading) => { lock (changes) changes.Add(leading); };
        first.Start();
        var lead1 = await first.AwaitLeadershipAsync().Within(Deadline, "the first leadership");
        second.Start();
        await Waits.Until(async () => (await first.GetParticipantsAsync()).Count == 2, Deadline, "two participants");
        Assert.True(first.HasLeadership);
        Assert.False(second.HasLeadership);
        Assert.Null(await second.TryAwaitLeadershipAsync(TimeSpan.FromMilliseconds(100)));
        Assert.Equal(["first", "second"], (await second.GetParticipantsAsync()).Select(p => p.Id));
        Assert.Equal("first", (await second.GetLeaderAsync())!.Id);

        await first.DisposeAsync();
        var lead2 = await second.AwaitLeadershipAsync().Within(Deadline, "the second leadership");
        Assert.True(lead2.Token > lead1.Token);
        Assert.True(lead1.IsLost);
        lock (changes) Assert.Equal([true, false], changes);
        Assert.Equal(["second"], (await second.GetParticipantsAsync()).Select(p => p.Id));
    }

    [Fact]
    public async Task A_selector_cancels_the_callback_when_the_leaders_session_ends_and_requeues_on_a_new_session()
    {
        var path = P("selector");
        var log = new EventLog<string>();
        var store = new FencedResource();
        Func<IZkLease, CancellationToken, Task> Lead(string who) => async (lease, ct) =>
        {
            await store.ExecuteAsync(lease.Token, _ => Task.CompletedTask);
            log.Add($"{who} leads {lease.Token}");
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            finally
            {
                log.Add($"{who} stops");
            }
        };
        var aSource = NewSource();
        var a = Own(new ZkLeaderSelector(aSource, path, "a", Lead("a")));
        var b = Own(new ZkLeaderSelector(NewSource(), path, "b", Lead("b")));
        a.Start();
        await log.WaitUntilAsync(l => l.Count == 1, Deadline, () => string.Join(", ", log.Items));
        b.Start();
        await Waits.Until(async () => (await a.GetParticipantsAsync()).Count == 2, Deadline, "b to queue");

        await EndSessionAsync(aSource.Client);
        await log.WaitUntilAsync(l => l.Any(e => e.StartsWith("b leads")), Deadline, () => string.Join(", ", log.Items));
        // a stopped before b led, and queues again on its new session.
        var items = log.Items;
        Assert.True(items.ToList().IndexOf("a stops") < items.ToList().FindIndex(e => e.StartsWith("b leads")), string.Join(", ", items));
        await Waits.Until(async () => (await b.GetParticipantsAsync()).Select(p => p.Id).SequenceEqual(["b", "a"]), Deadline, "a to queue again");
        Assert.Equal(0, store.Rejected);
        Assert.Equal(1, a.Terms);
    }

    [Fact]
    public async Task A_leader_only_background_service_runs_on_one_host_at_a_time_and_moves_when_its_host_stops()
    {
        var path = P("workers");
        var runs = new EventLog<string>();
        IHost Host(string name) => new HostBuilder()
            .ConfigureServices(services => services
                .AddSingleton(new ZkSessionSource(() => Cluster.NewClient()))
                .AddSingleton(runs)
                .AddSingleton(new WorkerName(name))
                .AddLeaderOnlyHostedService<Worker>(path, name))
            .Build();
        using var one = Host("one");
        using var two = Host("two");
        await one.StartAsync();
        await runs.WaitUntilAsync(r => r.Contains("one starts"), Deadline, () => string.Join(", ", runs.Items));
        await two.StartAsync();
        await Waits.Until(async () => (await ZkElection.GetParticipantsAsync(Zk, path)).Count == 2, Deadline, "both hosts in the election");
        Assert.DoesNotContain("two starts", runs.Items);
        Assert.True(one.Services.GetRequiredService<LeaderElection<Worker>>().HasLeadership);

        await one.StopAsync();
        await runs.WaitUntilAsync(r => r.Contains("two starts"), Deadline, () => string.Join(", ", runs.Items));
        Assert.Equal(["one starts", "one stops", "two starts"], runs.Items);
        await two.StopAsync();
        await one.Services.GetRequiredService<ZkSessionSource>().DisposeAsync();
        await two.Services.GetRequiredService<ZkSessionSource>().DisposeAsync();
    }

    public sealed record WorkerName(string Name);

    public sealed class Worker(EventLog<string> runs, WorkerName name, LeaderElection<Worker> election) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            Assert.NotNull(election.Current);
            runs.Add($"{name.Name} starts");
            try
            {
                await Task.Delay(Timeout.Infinite, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                runs.Add($"{name.Name} stops");
            }
        }
    }
}
