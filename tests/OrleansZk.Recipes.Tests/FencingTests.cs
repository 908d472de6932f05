using OrleansZk.Client;
using OrleansZk.Core;
using OrleansZk.Recipes.Locks;
using OrleansZk.Recipes.Tests.Support;

namespace OrleansZk.Recipes.Tests;

/// <summary>
/// Fencing tokens and the Lost signal: tokens strictly increase across holders (an expiry
/// included); a holder cut off beyond the safe bound loses the lock before anyone else takes it,
/// and its stale write is turned away; a short suspension keeps the lock; protected create finds a
/// create whose reply was lost.
/// </summary>
public sealed class FencingTests(RecipeCluster cluster) : RecipeTest(cluster)
{
    [Fact]
    public async Task Tokens_strictly_increase_across_holders_including_after_a_session_expiry()
    {
        var lockPath = P("lock");
        var a = new ZkMutex(NewSource(), lockPath);
        var bSource = NewSource();
        var b = new ZkMutex(bSource, lockPath);
        var tokens = new List<long>();

        await using (var held = await a.AcquireAsync()) tokens.Add(held.Token);
        var bHeld = await b.AcquireAsync();
        tokens.Add(bHeld.Token);
        var aWaits = a.AcquireAsync();

        // B's session ends while it holds: its Lost fires, and A takes over with a greater token.
        var expired = bSource.Client;
        await EndSessionAsync(expired);
        await Task.Delay(Timeout.Infinite, bHeld.Lost).ContinueWith(_ => { }).Within(Deadline, "B's Lost");
        Assert.True(bHeld.IsLost);
        Assert.Contains("expired", bHeld.LostReason);
        var aHeld = await aWaits.Within(Deadline, "A to take over after B's expiry");
        tokens.Add(aHeld.Token);
        await bHeld.DisposeAsync();

        // B carries on with a new session (the source renewed it) and queues behind A.
        await Waits.Until(() => bSource.Client != expired, Deadline, "B's new session");
        var bAgain = b.AcquireAsync();
        await aHeld.DisposeAsync();
        await using (var held = await bAgain.Within(Deadline, "B again on its new session")) tokens.Add(held.Token);

        Assert.Equal(tokens.Order(), tokens);
        Assert.Equal(tokens.Distinct().Count(), tokens.Count);
    }

    [Fact]
    public async Task A_holder_cut_off_beyond_the_safe_bound_loses_the_lock_before_another_takes_it_and_its_stale_write_is_rejected()
    {
        var lockPath = P("lock");
        var holderClient = NewClient(sessionTimeoutMs: 2_000);
        var holderSource = ZkSessionSource.Of(holderClient);
        var store = new FencedResource();
        var held = await new ZkMutex(holderSource, lockPath).AcquireAsync();
        await store.ExecuteAsync(held.Token, _ => Task.CompletedTask);
        var order = 0;
        var lostAt = 0;
        held.Lost.Register(() => lostAt = Interlocked.Increment(ref order));

        // Cut off: no pings, no confirmations. The session expires at the service a timeout later.
        SessionLease.Of(holderClient, holderSource).RenewalsPaused = true;
        holderClient.HeartbeatsPaused = true;
        var other = await new ZkMutex(NewClient(), lockPath).AcquireAsync().Within(Deadline, "the other client to take the lock");
        var acquiredAt = Interlocked.Increment(ref order);

        Assert.True(lostAt is > 0, "the holder's Lost had not fired when the other acquired");
        Assert.True(lostAt < acquiredAt);
        Assert.True(held.IsLost);
        Assert.True(other.Token > held.Token);
        await store.ExecuteAsync(other.Token, _ => Task.CompletedTask);
        await Assert.ThrowsAsync<StaleTokenException>(() => store.ExecuteAsync(held.Token, _ => Task.CompletedTask));
        Assert.Throws<LeaseLostException>(held.ThrowIfLost);
        await other.DisposeAsync();
        holderClient.HeartbeatsPaused = false;
        await held.DisposeAsync();
    }

    [Fact]
    public async Task A_short_suspension_marks_the_holder_maybe_lost_and_reconnecting_in_time_keeps_the_lock()
    {
        var lockPath = P("lock");
        var client = NewClient();
        var log = new List<ZkClientState>();
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var suspendedSeen = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var held = await new ZkMutex(client, lockPath).AcquireAsync();
        client.ConnectionStateChanged += (_, e) =>
        {
            if (e.State == ZkClientState.Suspended) suspendedSeen.TrySetResult(held.IsSuspended);
            if (e.State == ZkClientState.Reconnected) reconnected.TrySetResult();
        };

        client.SimulateConnectionLoss("test: gateway connection dropped");
        await reconnected.Task.Within(Deadline, "Reconnected");
        await Waits.Until(() => !held.IsSuspended, Deadline, "the holding to be confirmed again");
        Assert.False(held.IsLost);
        Assert.False(held.Lost.IsCancellationRequested);
        Assert.Null(await new ZkMutex(NewClient(), lockPath).TryAcquireAsync(TimeSpan.Zero));
    }

    [Fact]
    public async Task A_protected_create_whose_reply_was_lost_is_found_not_made_twice()
    {
        var zk = NewClient();
        var source = ZkSessionSource.Of(zk);
        var lost = 0;
        ProtectedCreate.AfterCreateSentForTest = c =>
        {
            if (c == zk && Interlocked.Exchange(ref lost, 1) == 0) c.SimulateConnectionLoss("test: reply lost");
        };
        try
        {
            var made = await ProtectedCreate.CreateAsync(source, P("job-"), Bytes("x"), CreateMode.EphemeralSequential).Within(Deadline, "the create");
            Assert.Equal(1, lost);
            var children = await Zk.GetChildrenAsync(Root);
            Assert.Equal([ZkPaths.Name(made.Path)], children);
            Assert.Equal("job-0000000000", ProtectedCreate.Unprotected(children[0]));
            Assert.Equal(zk.SessionId, made.Stat.EphemeralOwner);
        }
        finally
        {
            ProtectedCreate.AfterCreateSentForTest = null;
        }
    }

    [Fact]
    public async Task A_protected_create_that_never_reached_the_service_is_made_once_after_reconnecting()
    {
        var zk = NewClient();
        await zk.ConnectAsync();
        var source = ZkSessionSource.Of(zk);
        zk.LoseSendsForTest = 1;
        var lost = 0;
        ProtectedCreate.AfterCreateSentForTest = c =>
        {
            if (c == zk && Interlocked.Exchange(ref lost, 1) == 0) c.SimulateConnectionLoss("test: request lost");
        };
        try
        {
            var made = await ProtectedCreate.CreateAsync(source, P("job-"), null, CreateMode.PersistentSequential).Within(Deadline, "the create");
            Assert.Equal([ZkPaths.Name(made.Path)], await Zk.GetChildrenAsync(Root));
        }
        finally
        {
            ProtectedCreate.AfterCreateSentForTest = null;
        }
    }

    [Fact]
    public void Protected_names_follow_Curators_layout()
    {
        var id = ProtectedCreate.NewId();
        var path = ProtectedCreate.ProtectedPath("/locks/a/lock-", id);
        Assert.Equal($"/locks/a/_c_{id}-lock-", path);
        Assert.Equal(id, ProtectedCreate.IdOf(ZkPaths.Name(path) + "0000000007"));
        Assert.Null(ProtectedCreate.IdOf("lock-0000000007"));
        Assert.Equal("lock-0000000007", ProtectedCreate.Unprotected($"_c_{id}-lock-0000000007"));
        Assert.Equal(7, ZkPaths.SequenceOf($"_c_{id}-lock-0000000007"));
    }
}
