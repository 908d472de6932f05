using OrleansZk.Recipes.Locks;
using OrleansZk.Recipes.Tests.Support;

namespace OrleansZk.Recipes.Tests;

/// <summary>The read-write lock, the semaphore and the multi-lock.</summary>
public sealed class LockVariantTests(RecipeCluster cluster) : RecipeTest(cluster)
{
    [Fact]
    public async Task Readers_share_writers_exclude_and_a_reader_arriving_after_a_waiting_writer_waits()
    {
        var path = P("rw");
        var r1 = new ZkReadWriteLock(NewClient(), path);
        var r2 = new ZkReadWriteLock(NewClient(), path);
        var w = new ZkReadWriteLock(NewClient(), path);
        var late = new ZkReadWriteLock(NewClient(), path);

        var read1 = await r1.ReadLock.AcquireAsync();
        var read2 = await r2.ReadLock.TryAcquireAsync(Deadline);
        Assert.NotNull(read2);
        var writing = w.WriteLock.AcquireAsync();
        await Waits.Until(async () => (await w.WriteLock.GetParticipantNodesAsync()).Count == 3, Deadline, "the writer to queue");
        var lateRead = late.ReadLock.AcquireAsync();
        await Waits.Until(async () => (await w.WriteLock.GetParticipantNodesAsync()).Count == 4, Deadline, "the late reader to queue");
        Assert.False(writing.IsCompleted);

        await read1.DisposeAsync();
        await read2!.DisposeAsync();
        var write = await writing.Within(Deadline, "the writer after both readers");
        Assert.False(lateRead.IsCompleted);
        // The writer may read too (and so downgrade).
        var downgrade = await w.ReadLock.AcquireAsync().Within(Deadline, "the writer's own read lock");
        await write.DisposeAsync();
        var lateHeld = await lateRead.Within(Deadline, "the late reader after the writer");
        Assert.True(lateHeld.Token > write.Token);
        await downgrade.DisposeAsync();
        await lateHeld.DisposeAsync();
        Assert.Empty(await w.WriteLock.GetParticipantNodesAsync());
    }

    [Fact]
    public async Task A_semaphore_hands_out_at_most_its_leases_and_a_release_lets_one_waiter_in()
    {
        var path = P("sem");
        var semaphores = Enumerable.Range(0, 4).Select(_ => new ZkSemaphore(NewClient(), path, 2)).ToList();
        var a = await semaphores[0].AcquireAsync();
        var b = await semaphores[1].AcquireAsync();
        Assert.Null(await semaphores[2].TryAcquireAsync(TimeSpan.FromMilliseconds(100)));
        var c = semaphores[2].AcquireAsync();
        // The waiter whose turn it is has put its lease node in and watches for room.
        await Waits.Until(async () => (await semaphores[3].GetLeaseNodesAsync()).Count == 3, Deadline, "the waiter's lease node");
        Assert.False(c.IsCompleted);

        await a.DisposeAsync();
        var cHeld = await c.Within(Deadline, "the waiter to get the freed lease");
        Assert.Equal(2, (await semaphores[3].GetLeaseNodesAsync()).Count);
        Assert.True(cHeld.Token > b.Token);
        await b.DisposeAsync();
        await cHeld.DisposeAsync();
        Assert.Empty(await semaphores[3].GetLeaseNodesAsync());
        Assert.Throws<ArgumentOutOfRangeException>(() => new ZkSemaphore(Zk, path, 0));
    }

    [Fact]
    public async Task A_semaphore_lease_goes_back_when_its_holders_session_ends()
    {
        var path = P("sem");
        var holder = NewClient();
        var lease = await new ZkSemaphore(holder, path, 1).AcquireAsync();
        var waiting = new ZkSemaphore(NewClient(), path, 1).AcquireAsync();
        await EndSessionAsync(holder);
        await using var next = await waiting.Within(Deadline, "the lease after the holder's session ended");
        await Waits.Until(() => lease.IsLost, Deadline, "the old lease to be lost");
        await lease.DisposeAsync();
    }

    [Fact]
    public async Task A_multi_lock_takes_all_or_none()
    {
        var (x, y, z) = (P("x"), P("y"), P("z"));
        var blocker = await new ZkMutex(NewClient(), z).AcquireAsync();
        var multi = new ZkMultiLock(NewClient(), [z, x, y]);
        Assert.Null(await multi.TryAcquireAsync(TimeSpan.FromMilliseconds(200)));
        // It gave back x and y: another client takes them at once.
        await using (await new ZkMutex(NewClient(), x).TryAcquireAsync(TimeSpan.Zero) ?? throw new Xunit.Sdk.XunitException("x still held"))
        {
        }
        await blocker.DisposeAsync();
        await using var all = await multi.AcquireAsync().Within(Deadline, "all three");
        Assert.Equal([x, y, z], all.Handles.Select(h => ZkPaths.Parent(h.Path)));
        Assert.Null(await new ZkMutex(NewClient(), y).TryAcquireAsync(TimeSpan.Zero));
        Assert.Throws<ArgumentException>(() => new ZkMultiLock(Zk, [x, x]));
        Assert.Throws<ArgumentException>(() => new ZkMultiLock(Zk, Array.Empty<string>()));
    }
}
