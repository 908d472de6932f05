using System.Diagnostics;
using OrleansZk.Core;
using OrleansZk.Silo.Tests.Cluster;
using Xunit.Abstractions;

namespace OrleansZk.Silo.Tests.Ensemble;

/// <summary>
/// A leader process SIGSTOPped past the sync limit while holding writes: the others elect a
/// successor and go on; when it runs again it acknowledges none of them (they fail: ConnectionLoss
/// or its silo is gone), none of them is ever applied, and it comes back as a follower.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PausedLeaderTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly SiloRunner _runner = new();

    public void Dispose() => _runner.Dispose();

    [Fact]
    public async Task A_paused_leader_acknowledges_nothing_after_its_successor_takes_over()
    {
        // Sessions of up to 30 s: a client whose Orleans gateway is the frozen silo may not reach
        // the successor until that silo is declared dead, which took more than 10 s in some runs
        // (reported, not fixed); this test is about what the frozen leader acknowledges.
        await using var ensemble = await ProcessEnsemble.StartAsync(_runner, 3, "--OrleansZk:MaxSessionTimeoutMs=30000");
        var admin = await ensemble.ConnectAsync();
        var clientClock = Stopwatch.StartNew();
        admin.ConnectionStateChanged += (_, e) => output.WriteLine($"  client at {clientClock.ElapsedMilliseconds} ms: {e}");
        var (leader, _) = await ensemble.SettledLeaderAsync(admin, Deadline);
        await admin.CreateAsync("/paused", null);
        var inspector = await ensemble.InspectorAsync();
        var old = inspector.Grains.GetGrain<IZkReplicaGrain>(leader.ReplicaId);
        var session = await old.CreateSession(60_000, [7, 7, 7]);
        var ports = ensemble.PortsOf(leader.ReplicaId);

        try
        {
            await RoundsAsync();
        }
        finally
        {
            foreach (var id in ensemble.Ids)
            {
                try
                {
                    foreach (var line in ensemble[id].Process.Stderr.Split('\n').Where(l => l.Contains("Replica ", StringComparison.Ordinal) || l.Contains("xpir", StringComparison.Ordinal) || l.Contains("dead", StringComparison.OrdinalIgnoreCase)))
                        output.WriteLine($"  silo {id}: {line.Trim()}");
                }
                catch (InvalidOperationException)
                {
                }
            }
        }

        async Task RoundsAsync()
        {
        for (var round = 0; round < 2; round++)
        {
            await ensemble[leader.ReplicaId].Process.PauseAsync();
            var clock = Stopwatch.StartNew();
            // Writes sent to the frozen leader: they wait in its sockets until it runs again.
            var stranded = Enumerable.Range(1, 5)
                .Select(i => old.Submit(session.SessionId, round * 10 + i, new CreateRequest($"/paused/r{round}-{i}", null, AclList.OpenUnsafe, CreateMode.Persistent)))
                .Select(Outcome)
                .ToList();
            var successor = await SuccessorAsync(admin, leader.ReplicaId);
            output.WriteLine($"round {round}: leader {leader.ReplicaId} paused at {clientClock.ElapsedMilliseconds - clock.ElapsedMilliseconds} ms; {successor.ReplicaId} serves epoch {successor.Epoch} after {clock.ElapsedMilliseconds} ms");
            await SiloCluster.UntilServedAsync(() => CreateOnceAsync(admin, $"/paused/after-{round}"), Deadline, "a write to the successor");

            ensemble[leader.ReplicaId].Process.Resume();
            foreach (var write in stranded)
            {
                var outcome = await write.WaitAsync(Deadline);
                output.WriteLine($"  stranded write: {outcome}");
                Assert.NotEqual("Ok", outcome);
                Assert.DoesNotContain("SessionExpired", outcome);
            }
            // It comes back as a follower (or, declared dead meanwhile, its silo stopped: start it again).
            if (ensemble[leader.ReplicaId].Process.HasExited || await ExitsSoonAsync(ensemble, leader.ReplicaId))
            {
                await ensemble.ForgetAsync(leader.ReplicaId);
                await ensemble.RestartAsync(leader.ReplicaId, ports);
                session = await inspector.Grains.GetGrain<IZkReplicaGrain>(successor.ReplicaId).CreateSession(60_000, [7, 7, 7]);
                old = inspector.Grains.GetGrain<IZkReplicaGrain>(successor.ReplicaId);
            }
            (leader, _) = await ensemble.SettledLeaderAsync(admin, Deadline);
            old = inspector.Grains.GetGrain<IZkReplicaGrain>(leader.ReplicaId);
            session = await old.CreateSession(60_000, [7, 7, 7]);
            ports = ensemble.PortsOf(leader.ReplicaId);
        }
        }
        await admin.SyncAsync("/");
        var children = await admin.GetChildrenAsync("/paused");
        Assert.Equal(["after-0", "after-1"], children.Order(StringComparer.Ordinal));
        var digests = await ensemble.DigestsAsync(admin.LastZxid, Deadline);
        Assert.Single(digests.Select(d => d.Digest).Distinct());
    }

    /// <summary>Creates <paramref name="path"/>; an earlier attempt whose reply was lost (ConnectionLoss) may have created it.</summary>
    private static async Task<bool> CreateOnceAsync(Client.ZkClient client, string path)
    {
        try
        {
            await client.CreateAsync(path, null);
        }
        catch (NodeExistsException)
        {
        }
        return true;
    }

    /// <summary>A write's outcome as text: its code, or the exception's type (a silo gone, a timeout).</summary>
    private static async Task<string> Outcome(Task<WriteReply> write)
    {
        try
        {
            var reply = await write;
            return reply.Code == ZkErrorCode.Ok ? "Ok" : $"{reply.Code} ({reply.Detail})";
        }
        catch (Exception e)
        {
            return e.GetType().Name;
        }
    }

    private static async Task<ReplicaStatus> SuccessorAsync(Client.ZkClient admin, long old)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                var serving = (await admin.GetEnsembleStatusAsync(patience.Token)).FirstOrDefault(s => s.ReplicaId != old && s.Role == "Leading" && s.Serving);
                if (serving != null) return serving;
            }
            catch (Exception e) when (e is ZkException or OperationCanceledException)
            {
                // Asked through a gateway that is frozen: ask again.
            }
            if (clock.Elapsed > Deadline) throw new TimeoutException("no successor");
            await Task.Delay(Poll.Interval);
        }
    }

    /// <summary>Whether the resumed silo stops by itself shortly (the cluster declared it dead while it was frozen).</summary>
    private static async Task<bool> ExitsSoonAsync(ProcessEnsemble ensemble, long id)
    {
        try
        {
            await ensemble[id].Process.WaitExitAsync(TimeSpan.FromSeconds(5));
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
