using OrleansZk.Core;
using OrleansZk.Recipes.Locks;
using OrleansZk.Recipes.Tests.Support;

namespace OrleansZk.Recipes.Tests;

/// <summary>
/// The mutex: re-entrancy by owner, waiters that give up leaving nothing behind, typed errors,
/// participants (mutual exclusion under contention is <see cref="ProcessContentionTests"/>).
/// </summary>
public sealed class MutexTests(RecipeCluster cluster) : RecipeTest(cluster)
{
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
