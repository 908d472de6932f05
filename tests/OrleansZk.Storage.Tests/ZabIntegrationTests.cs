using OrleansZk.Zab;

namespace OrleansZk.Storage.Tests;

/// <summary>Three ZAB engines, each persisting to its own <see cref="TxnLog"/>, across a full restart.</summary>
public sealed class ZabIntegrationTests : IDisposable
{
    private static readonly int[] Ids = [1, 2, 3];
    private readonly TempDir _tmp = new();
    public void Dispose() => _tmp.Dispose();

    private sealed class Recorder(Queue<ZabMessage> outbox) : IZabStateMachine, IZabHost
    {
        public List<LogEntry> Applied { get; } = [];
        public ZabSnapshot TakeSnapshot() => new(Applied.Count > 0 ? Applied[^1].Zxid : 0, []);
        public void Install(ZabSnapshot snapshot) => throw new InvalidOperationException("no SNAP expected");
        public void Apply(LogEntry txn) => Applied.Add(txn);
        public void Send(IReadOnlyList<ZabMessage> messages) { foreach (var m in messages) outbox.Enqueue(m); }
        public void Apply(IReadOnlyList<LogEntry> committed) => Applied.AddRange(committed);
        public void Confirmed(long token) { }
    }

    /// <summary>Three engines on file logs, each run by the production host loop (<see cref="ZabDriver"/>) synchronously.</summary>
    private sealed class Cluster : IDisposable
    {
        private readonly Queue<ZabMessage> _queue = new();
        private readonly ZabDriver[] _drivers;
        public TxnLog[] Logs { get; }
        public Recorder[] Machines { get; }
        public ZabPeer[] Peers { get; }

        public Cluster(TempDir tmp, int seed)
        {
            Machines = Ids.Select(_ => new Recorder(_queue)).ToArray();
            Logs = Ids.Select(i => TxnLog.Open(tmp.Sub($"r{i}"), T.Options(tmp.Sub($"r{i}"), segmentBytes: 8192))).ToArray();
            Peers = Ids.Select(i => new ZabPeer(new ZabConfig { Id = i, Peers = Ids, Seed = seed + i }, Logs[i - 1], Machines[i - 1])).ToArray();
            _drivers = Ids.Select(i => new ZabDriver(Peers[i - 1], Machines[i - 1])).ToArray();
        }

        public void Drain()
        {
            var any = true;
            while (any)
            {
                any = false;
                foreach (var d in _drivers)
                {
                    any |= d.Peer.HasReady;
                    d.RunSynchronously(Logs[d.Peer.Id - 1]);
                }
                while (_queue.TryDequeue(out var m)) { Peers[m.To - 1].Step(m); any = true; }
            }
        }

        public ZabPeer ElectLeader()
        {
            Drain();
            for (var i = 0; i < 200 && !Peers.Any(p => p.Status.Established); i++)
            {
                foreach (var p in Peers) p.Tick();
                Drain();
            }
            return Peers.Single(p => p.Status.Established);
        }

        public void Dispose()
        {
            foreach (var l in Logs) l.Dispose();
        }
    }

    [Fact]
    public void Engines_persist_through_the_file_log_and_recover_their_history_after_a_restart()
    {
        List<byte[]> proposed = [];
        long lastZxid;
        HardState hard;
        using (var cluster = new Cluster(_tmp, seed: 10))
        {
            var leader = cluster.ElectLeader();
            for (var i = 0; i < 300; i++)
            {
                var payload = new byte[100];
                BitConverter.TryWriteBytes(payload, i);
                proposed.Add(payload);
                Assert.Equal(ProposeStatus.Proposed, leader.Propose(payload).Status);
                if (i % 16 == 0) cluster.Drain();
            }
            cluster.Drain();
            lastZxid = leader.Status.LastZxid;
            hard = leader.Status.Hard;
            foreach (var log in cluster.Logs)
            {
                Assert.Equal(lastZxid, log.LastZxid);
                Assert.Equal(proposed, log.ReadAfter(0).Select(t => t.Payload));
                Assert.Equal(hard.CurrentEpoch, log.HardState.CurrentEpoch);
                Assert.True(log.SegmentCount > 1);
            }
        }

        using var restarted = new Cluster(_tmp, seed: 20);
        Assert.All(restarted.Peers, p => Assert.Equal(lastZxid, p.Status.LastZxid));
        var newLeader = restarted.ElectLeader();
        Assert.True(newLeader.Status.Hard.CurrentEpoch > hard.CurrentEpoch);
        newLeader.Propose([42]);
        restarted.Drain();
        foreach (var (log, machine) in restarted.Logs.Zip(restarted.Machines))
        {
            Assert.Equal(proposed.Append([42]), log.ReadAfter(0).Select(t => t.Payload));
            Assert.Equal(log.ReadAfter(0).Select(t => t.Zxid), machine.Applied.Select(t => t.Zxid)); // all re-committed in order
        }
    }
}
