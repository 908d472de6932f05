using System.Diagnostics;
using System.Text;
using OrleansZk.Client;
using OrleansZk.Core;
using OrleansZk.Service.Tests;
using OrleansZk.Silo.Tests.Cluster;
using OrleansZk.Testing.Linearizability;
using Xunit.Abstractions;

namespace OrleansZk.Silo.Tests.Ensemble;

/// <summary>
/// Three real silo processes, one replica each, under a recorded workload (conditional setData,
/// linearizable reads, sequential creates, multis across partitions, ephemerals of live sessions,
/// watches): the leader (or a follower) is SIGKILLed several times and restarted. Afterwards every
/// replica holds the same tree; the recorded histories are linearizable; every acknowledged write is
/// there, on every replica and after a restart of the whole ensemble; no multi is half applied;
/// live sessions keep their ephemerals; each watch fires once.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class CrashTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly SiloRunner _runner = new();

    public void Dispose() => _runner.Dispose();

    [Theory]
    [InlineData("leader", 3)]
    [InlineData("follower", 2)]
    public async Task Killing_a_member_under_load_loses_no_acknowledged_write(string victim, int rounds)
    {
        await using var ensemble = await ProcessEnsemble.StartAsync(_runner, 3);
        var admin = await ensemble.ConnectAsync();
        await ensemble.SettledLeaderAsync(admin, Deadline);
        await EnsembleWorkload.PrepareAsync(admin);
        await admin.CreateAsync("/w", null);
        var watcher = await ensemble.ConnectAsync();
        var oneShot = new WatchRecorder();
        var recursive = new WatchRecorder();
        await watcher.AddWatchAsync("/w", recursive.Watcher, AddWatchMode.PersistentRecursive);

        var clients = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => ensemble.ConnectAsync()));
        var workload = new EnsembleWorkload(clients);
        using var stop = new CancellationTokenSource();
        var load = workload.RunAsync(stop.Token);

        for (var round = 0; round < rounds; round++)
        {
            var node = $"/w/r{round}";
            await admin.CreateAsync(node, null);
            await watcher.GetDataAsync(node, oneShot.Watcher);
            var (leader, _) = await ensemble.SettledLeaderAsync(admin, Deadline);
            var id = victim == "leader" ? leader.ReplicaId : ensemble.Ids.First(i => i != leader.ReplicaId);
            var ports = ensemble.PortsOf(id);
            await WaitForProgressAsync(workload);
            var clock = Stopwatch.StartNew();
            await ensemble.KillAsync(id);
            var (next, took) = await ensemble.SettledLeaderAsync(admin, Deadline);
            output.WriteLine($"round {round}: SIGKILL {victim} {id}; serving leader {next.ReplicaId} (epoch {next.Epoch}) after {clock.ElapsedMilliseconds} ms");
            foreach (var other in ensemble.Ids.Where(i => i != id))
                foreach (var line in ensemble[other].Process.Stderr.Split('\n').Where(l => l.Contains("OrleansZk.Ensemble") || l.Contains("fail:") || l.Contains("crit:")).TakeLast(8))
                    output.WriteLine($"  member {other}: {line}");
            await WaitForProgressAsync(workload);
            await SiloCluster.UntilServedAsync(() => ChangeOnceAsync(admin, node, round), Deadline, "the watched change");
            await ensemble.RestartAsync(id, ports);
            await ensemble.SettledLeaderAsync(admin, Deadline);
        }
        await WaitForProgressAsync(workload);
        await stop.CancelAsync();
        await load;
        output.WriteLine($"{workload.Acknowledged} writes acknowledged, {workload.Unknown} with unknown outcome");

        await VerifyAsync(ensemble, admin, workload);
        for (var round = 0; round < rounds; round++)
        {
            var changed = $"NodeDataChanged /w/r{round}";
            await oneShot.WaitForAsync(changed, Deadline);
            Assert.Equal(1, oneShot.Seen.Count(e => e == changed));
            // The recursive watch replays it, or says its history no longer reaches back: never twice.
            await recursive.WaitForAsync(x => $"{x.Type} {x.Path}" == changed || x.Type == WatchEventType.HistoryTrimmed, Deadline, changed);
            Assert.True(recursive.Seen.Count(e => e == changed) <= 1, string.Join(", ", recursive.Seen));
        }

        // The whole ensemble killed and restarted: every acknowledged write is still there.
        var ports3 = ensemble.Ids.ToDictionary(i => i, ensemble.PortsOf);
        foreach (var id in ensemble.Ids) await ensemble.KillAsync(id);
        await Task.WhenAll(ensemble.Ids.Select(id => ensemble.RestartAsync(id, ports3[id])));
        var reader = await ensemble.ConnectAsync();
        await ensemble.SettledLeaderAsync(reader, Deadline);
        await reader.SyncAsync("/");
        var children = (await reader.GetChildrenAsync(EnsembleWorkload.SeqParent)).ToHashSet();
        Assert.All(workload.SequentialNodes, p => Assert.Contains(p[(EnsembleWorkload.SeqParent.Length + 1)..], children));
        var digests = await ensemble.DigestsAsync(reader.LastZxid, Deadline);
        Assert.Single(digests.Select(d => d.Digest).Distinct());
    }

    /// <summary>Waits until the workload has had some more writes acknowledged (it goes on after a kill).</summary>
    private static async Task WaitForProgressAsync(EnsembleWorkload workload)
    {
        var from = Volatile.Read(ref workload.Acknowledged);
        var clock = Stopwatch.StartNew();
        while (Volatile.Read(ref workload.Acknowledged) < from + 50)
        {
            if (clock.Elapsed > Deadline) throw new TimeoutException($"the workload made no progress in {Deadline} ({workload.Acknowledged} acknowledged)");
            await Task.Delay(Poll.Interval);
        }
    }

    /// <summary>A read of the verification, tried again while the client reconnects (after the kills and restarts a gateway connection may still close).</summary>
    private static Task<T> Read<T>(Func<Task<T>> read) => SiloCluster.UntilServedAsync(read, Deadline, "a verification read");

    /// <summary>
    /// The one change of a watched node: conditional on its first version, so a retry after a lost
    /// answer (ConnectionLoss: outcome unknown) cannot change it twice — it finds BadVersion instead,
    /// the earlier attempt having been applied. The watches must then report exactly one change.
    /// </summary>
    private static async Task<bool> ChangeOnceAsync(ZkClient client, string node, int round)
    {
        try
        {
            await client.SetDataAsync(node, [(byte)round], version: 0);
        }
        catch (BadVersionException)
        {
        }
        return true;
    }

    private async Task VerifyAsync(ProcessEnsemble ensemble, ZkClient admin, EnsembleWorkload workload)
    {
        await SiloCluster.UntilServedAsync(async () => { await admin.SyncAsync("/"); return true; }, Deadline, "sync");
        var digests = await ensemble.DigestsAsync(admin.LastZxid, Deadline);
        Assert.Single(digests.Select(d => d.Digest).Distinct());

        // Linearizable histories (an unknown write may or may not have happened).
        // Each lane of a session sends its next request only after the previous one's answer: FIFO per lane.
        var order = new CheckOptions { ClientOrder = true };
        var registers = LinearizabilityChecker.Check(EnsembleWorkload.RegisterModel, workload.RegisterHistory, TimeSpan.FromMinutes(2), order);
        var sequence = LinearizabilityChecker.Check(new SequenceModel(), workload.Sequence, TimeSpan.FromMinutes(2), order);
        output.WriteLine($"registers: {registers.Verdict}, {registers.Operations} operations in {registers.Elapsed.TotalMilliseconds:0} ms; "
            + $"sequence: {sequence.Verdict}, {sequence.Operations} operations in {sequence.Elapsed.TotalMilliseconds:0} ms");
        if (!registers.IsOk) workload.RegisterHistory.Save(Path.Combine(_runner.Root, "registers.jsonl"));
        if (!sequence.IsOk) workload.Sequence.Save(Path.Combine(_runner.Root, "sequence.jsonl"));
        Assert.True(registers.Verdict == Verdict.Ok, registers.ToString());
        Assert.True(sequence.Verdict == Verdict.Ok, sequence.ToString());

        // Every acknowledged sequential create is there; no multi is half applied.
        var children = (await Read(() => admin.GetChildrenAsync(EnsembleWorkload.SeqParent))).ToHashSet();
        Assert.All(workload.SequentialNodes, p => Assert.Contains(p[(EnsembleWorkload.SeqParent.Length + 1)..], children));
        var final = new Dictionary<string, string?>();
        foreach (var key in workload.Multis.SelectMany(m => m.Writes.Keys))
        {
            var stat = await Read(() => admin.ExistsAsync(key));
            final[key] = stat == null ? null : Encoding.UTF8.GetString((await Read(() => admin.GetDataAsync(key))).Data ?? []);
        }
        Assert.Empty(MultiAtomicity.Check(workload.Multis, final));

        // Live sessions keep every ephemeral they were told they have (and every session is live).
        Assert.NotNull(await Read(() => admin.ExistsAsync("/eph")));
        foreach (var (session, paths) in workload.Ephemerals)
        {
            var owner = workload.Clients.Single(c => c.SessionId == session);
            // A session the last kill suspended reconnects on its own: check where it ends up, not where it passes through.
            var states = new StateLog(owner);
            if (!owner.State.IsConnected() && !owner.State.IsFinal())
                await states.WaitUntilAsync(s => s.IsConnected() || s.IsFinal(), Deadline, $"session 0x{session:x} neither reconnected nor ended");
            Assert.True(owner.State.IsConnected(), $"session 0x{session:x} is {owner.State}");
            foreach (var path in paths)
                Assert.True(await Read(() => admin.ExistsAsync(path)) != null,
                    $"{path} of session 0x{session:x} ({owner.State}) is gone; the session's ephemerals: {string.Join(", ", await owner.GetEphemeralsAsync("/eph"))}");
        }
    }
}
