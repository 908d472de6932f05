using System.Text;
using OrleansZk.Client;
using OrleansZk.Core;
using OrleansZk.Recipes.Locks;
using OrleansZk.Recipes.Tests.Support;

namespace OrleansZk.Recipes.Tests;

/// <summary>
/// The mutex: mutual exclusion under contention checked by a shared non-atomic counter and by
/// fencing tokens in holder order, no herd, re-entrancy by owner, waiters that give up leaving
/// nothing behind.
/// </summary>
public sealed class MutexTests(RecipeCluster cluster) : RecipeTest(cluster)
{
    [Fact]
    public async Task Eight_clients_contending_never_overlap_and_hold_in_token_order_with_one_watch_event_per_handover()
    {
        const int clients = 8, rounds = 200;
        var lockPath = P("lock");
        var counter = P("counter");
        await Zk.CreateAsync(counter, Encoding.UTF8.GetBytes("0 0"));
        var contenders = Enumerable.Range(0, clients).Select(_ => NewClient()).Select(zk => (zk, mutex: new ZkMutex(zk, lockPath))).ToList();
        var inside = 0;
        var overlaps = 0;

        async Task Worker(ZkClient zk, ZkMutex mutex)
        {
            for (var i = 0; i < rounds; i++)
            {
                await using var held = await mutex.AcquireAsync();
                if (Interlocked.Increment(ref inside) != 1) Interlocked.Increment(ref overlaps);
                // A non-atomic read-modify-write of a znode: any overlap of holders loses an increment
                // or writes tokens out of order.
                var (data, _) = await zk.GetDataAsync(counter);
                var parts = Encoding.UTF8.GetString(data!).Split(' ');
                var (count, lastToken) = (int.Parse(parts[0]), long.Parse(parts[1]));
                if (held.Token <= lastToken) Interlocked.Increment(ref overlaps);
                await zk.SetDataAsync(counter, Encoding.UTF8.GetBytes($"{count + 1} {held.Token}"));
                Interlocked.Decrement(ref inside);
            }
        }

        await Task.WhenAll(contenders.Select(c => Worker(c.zk, c.mutex))).Within(TimeSpan.FromSeconds(90), "1,600 acquisitions");

        Assert.Equal(0, overlaps);
        Assert.Equal($"{clients * rounds}", Text((await Zk.GetDataAsync(counter)).Data).Split(' ')[0]);
        // No herd: a waiter is woken only by its own predecessor, at most once per acquisition.
        var events = contenders.Sum(c => c.mutex.Queue.WatchEvents);
        Assert.InRange(events, 1, clients * rounds);
        Assert.Empty(await Zk.GetChildrenAsync(lockPath));
    }

    [Fact]
    public async Task The_same_owner_re_enters_with_the_same_token_and_releases_with_its_last_handle()
    {
        var owner = new ZkMutex(Zk, P("lock"));
        var other = new ZkMutex(NewClient(), P("lock"));
        var first = await owner.AcquireAsync();
        var second = await owner.AcquireAsync().Within(Deadline, "a re-entrant acquisition");
        Assert.Equal(first.Token, second.Token);
        Assert.Equal(first.Path, second.Path);
        Assert.Null(await other.TryAcquireAsync(TimeSpan.Zero));

        await first.DisposeAsync();
        await first.DisposeAsync(); // idempotent
        Assert.True(owner.IsHeld);
        Assert.Null(await other.TryAcquireAsync(TimeSpan.Zero));
        var waiting = other.AcquireAsync();
        await second.DisposeAsync();
        await using var next = await waiting.Within(Deadline, "the other owner to acquire");
        Assert.True(next.Token > first.Token);
        Assert.False(owner.IsHeld);
    }

    [Fact]
    public async Task Waiters_that_time_out_or_are_cancelled_leave_no_node_behind()
    {
        var lockPath = P("lock");
        await using var held = await new ZkMutex(Zk, lockPath).AcquireAsync();
        var timedOut = await new ZkMutex(NewClient(), lockPath).TryAcquireAsync(TimeSpan.FromMilliseconds(200));
        Assert.Null(timedOut);
        using var cancel = new CancellationTokenSource();
        var cancelled = new ZkMutex(NewClient(), lockPath).AcquireAsync(cancel.Token);
        await Waits.Until(async () => (await Zk.GetChildrenAsync(lockPath)).Count == 2, Deadline, "the waiter's node");
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal([ZkPaths.Name(held.Path)], await Zk.GetChildrenAsync(lockPath));
    }

    [Fact]
    public async Task Bad_input_is_refused_with_typed_errors()
    {
        Assert.Throws<BadArgumentsException>(() => new ZkMutex(Zk, "no-slash"));
        Assert.Throws<BadArgumentsException>(() => new ZkMutex(Zk, P("trailing/")));
        Assert.Throws<ArgumentNullException>(() => new ZkMutex(null!, P("x")));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => new ZkMutex(Zk, P("x")).TryAcquireAsync(TimeSpan.FromSeconds(-2)));
    }

    [Fact]
    public async Task Participant_nodes_list_the_holder_first()
    {
        var lockPath = P("lock");
        var a = new ZkMutex(Zk, lockPath);
        await using var held = await a.AcquireAsync();
        var waiting = new ZkMutex(NewClient(), lockPath).AcquireAsync();
        await Waits.Until(async () => (await a.GetParticipantNodesAsync()).Count == 2, Deadline, "two participants");
        Assert.Equal(held.Path, (await a.GetParticipantNodesAsync())[0]);
        await held.DisposeAsync();
        await using var next = await waiting.Within(Deadline, "the waiter");
    }
}
