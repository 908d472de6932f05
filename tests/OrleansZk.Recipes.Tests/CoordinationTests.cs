using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansZk.Core;
using OrleansZk.Recipes.Configuration;
using OrleansZk.Recipes.Coordination;
using OrleansZk.Recipes.Shared;
using OrleansZk.Recipes.Tests.Support;

namespace OrleansZk.Recipes.Tests;

/// <summary>Shared configuration (IOptionsMonitor), shared value and count, barriers, the queue and the atomic long.</summary>
public sealed class CoordinationTests(RecipeCluster cluster) : RecipeTest(cluster)
{
    public sealed class DbOptions
    {
        public string Host { get; set; } = "";

        public int Port { get; set; }
    }

    [Fact]
    public async Task A_configuration_change_reaches_IOptionsMonitor()
    {
        var root = P("config");
        await Zk.CreateAsync(root, null);
        await Zk.CreateAsync(root + "/Db", null);
        await Zk.CreateAsync(root + "/Db/Host", Bytes("db1"));
        await Zk.CreateAsync(root + "/Db/Port", Bytes("5432"));
        var configuration = new ConfigurationBuilder().AddOrleansZk(NewClient(), root).Build();
        await using var services = new ServiceCollection().Configure<DbOptions>(configuration.GetSection("Db")).BuildServiceProvider();
        var monitor = services.GetRequiredService<IOptionsMonitor<DbOptions>>();
        Assert.Equal(("db1", 5432), (monitor.CurrentValue.Host, monitor.CurrentValue.Port));
        var changed = new EventLog<string>();
        using var subscription = monitor.OnChange(o => changed.Add(o.Host));

        await Zk.SetDataAsync(root + "/Db/Host", Bytes("db2"));
        await changed.WaitUntilAsync(c => c.Contains("db2"), Deadline, () => string.Join(", ", changed.Items));
        Assert.Equal("db2", monitor.CurrentValue.Host);
        await Zk.CreateAsync(root + "/Feature", Bytes("on"));
        await Waits.Until(() => configuration["Feature"] == "on", Deadline, "a new key");
        (configuration as IDisposable)?.Dispose();
    }

    [Fact]
    public async Task The_configuration_provider_connects_by_itself_from_a_connect_string()
    {
        var root = P("config");
        await Zk.CreateAsync(root, null);
        await Zk.CreateAsync(root + "/Name", Bytes("orders"));
        var configuration = new ConfigurationBuilder().AddOrleansZk(Cluster.GatewayConnectString, root).Build();
        Assert.Equal("orders", configuration["Name"]);
        (configuration as IDisposable)?.Dispose();
        Assert.Throws<BadArgumentsException>(() => new ConfigurationBuilder().AddOrleansZk(Zk, "no-slash").Build());
    }

    [Fact]
    public async Task Shared_value_and_count_change_by_versioned_compare_and_set()
    {
        var count = Own(new ZkSharedCount(NewClient(), P("count"), 10));
        var other = Own(new ZkSharedCount(NewClient(), P("count"), 99));
        await count.StartAsync();
        await other.StartAsync();
        Assert.Equal(10, other.Count);
        var seen = new EventLog<int>();
        other.Changed += (_, v) => seen.Add(v.Value);

        var before = count.Current;
        Assert.True(await count.TrySetCountAsync(before, 11));
        Assert.False(await count.TrySetCountAsync(before, 12)); // the version moved
        await seen.WaitUntilAsync(s => s.Contains(11), Deadline, () => string.Join(", ", seen.Items));
        await count.SetCountAsync(20);
        await Waits.Until(() => other.Count == 20, Deadline, "20 everywhere");

        var value = Own(new ZkSharedValue(NewClient(), P("value"), Bytes("a")));
        await value.StartAsync();
        Assert.True(await value.TrySetValueAsync(value.Current, Bytes("b")));
        await Waits.Until(() => Text(value.Current.Value) == "b", Deadline, "b");
    }

    [Fact]
    public async Task A_barrier_holds_waiters_until_removed_and_a_double_barrier_lets_all_in_then_all_out()
    {
        var barrier = new ZkBarrier(NewClient(), P("gate"));
        await barrier.SetAsync();
        var waiting = new ZkBarrier(NewClient(), P("gate")).WaitAsync();
        Assert.False(await new ZkBarrier(NewClient(), P("gate")).WaitAsync(TimeSpan.FromMilliseconds(100)));
        await barrier.RemoveAsync();
        Assert.True(await waiting.Within(Deadline, "the barrier to open"));

        var members = Enumerable.Range(0, 3).Select(_ => new ZkDoubleBarrier(NewClient(), P("double"), 3)).ToList();
        var first = members[0].EnterAsync();
        var second = members[1].EnterAsync();
        Assert.False(first.IsCompleted || second.IsCompleted);
        var entered = await Task.WhenAll(first, second, members[2].EnterAsync()).Within(Deadline, "all three in");
        Assert.All(entered, Assert.True);
        var leaving = members.Take(2).Select(m => m.LeaveAsync()).ToList();
        Assert.DoesNotContain(leaving, l => l.IsCompleted);
        Assert.True(await members[2].LeaveAsync().Within(Deadline, "the last to leave"));
        Assert.All(await Task.WhenAll(leaving).Within(Deadline, "all out"), Assert.True);
    }

    [Fact]
    public async Task A_queue_hands_each_item_to_one_consumer_in_fifo_order()
    {
        var producer = new ZkQueue(NewClient(), P("queue"));
        var consumers = Enumerable.Range(0, 3).Select(_ => new ZkQueue(NewClient(), P("queue"))).ToList();
        Assert.Null(await consumers[0].TryDequeueAsync());
        var waiting = consumers[1].DequeueAsync();
        await producer.EnqueueAsync(Bytes("0"));
        Assert.Equal("0", Text(await waiting.Within(Deadline, "the first item")));
        for (var i = 1; i <= 30; i++) await producer.EnqueueAsync(Bytes(i.ToString()));
        Assert.Equal(30, await producer.CountAsync());
        var taken = await Task.WhenAll(consumers.Select(async c =>
        {
            var mine = new List<int>();
            while (await c.TryDequeueAsync() is { } item) mine.Add(int.Parse(Text(item)));
            return mine;
        }));
        Assert.Equal(Enumerable.Range(1, 30), taken.SelectMany(t => t).Order());
        Assert.All(taken, t => Assert.Equal(t.Order(), t)); // each consumer got its items in queue order
    }

    [Fact]
    public async Task An_atomic_long_counts_every_increment_of_contending_clients_exactly_once()
    {
        var counters = Enumerable.Range(0, 4).Select(_ => new ZkAtomicLong(NewClient(), P("n"), new AtomicRetryPolicy(1000, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(20)))).ToList();
        var results = await Task.WhenAll(counters.Select(async c =>
        {
            var outcomes = new List<AtomicValue>();
            for (var i = 0; i < 25; i++) outcomes.Add(await c.IncrementAsync());
            return outcomes;
        }));
        Assert.All(results.SelectMany(r => r), r => Assert.True(r.Succeeded && r.PostValue == r.PreValue + 1));
        Assert.Equal(100, await counters[0].GetAsync());
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), results.SelectMany(r => r).Select(r => r.PostValue).Order());
        Assert.False((await counters[0].CompareAndSetAsync(5, 6)).Succeeded);
        Assert.True((await counters[0].CompareAndSetAsync(100, 7)).Succeeded);
        Assert.Equal(6, (await counters[1].DecrementAsync()).PostValue);
    }
}
