using System.Diagnostics;
using OrleansZk.Zab;

namespace OrleansZk.Zab.Simulator;

/// <summary>
/// The protocol's own ceiling: 3 engines on an in-memory FIFO network, storage that keeps
/// entries in memory with no fsync, no state machine work. Proposals are submitted in batches to
/// the leader and messages are delivered until quiescent; reports committed proposals per second.
/// </summary>
public static class ThroughputBench
{
    public static int Run(TextWriter output, double seconds, int batch = 256)
    {
        var ids = new[] { 1, 2, 3 };
        var disks = ids.Select(_ => new NoFsyncStorage()).ToArray();
        var queue = new Queue<ZabMessage>();
        var hosts = ids.Select(_ => new CountingHost(queue)).ToArray();
        var peers = ids.Select(i => new ZabPeer(new ZabConfig { Id = i, Peers = ids, Seed = i }, disks[i - 1], new NullStateMachine())).ToArray();
        var drivers = ids.Select(i => new ZabDriver(peers[i - 1], hosts[i - 1])).ToArray();
        void Drain()
        {
            bool any = true;
            while (any)
            {
                any = false;
                foreach (var d in drivers)
                {
                    any |= d.Peer.HasReady;
                    d.RunSynchronously(disks[d.Peer.Id - 1]);
                }
                while (queue.TryDequeue(out var m)) { peers[m.To - 1].Step(m); any = true; }
            }
        }
        Drain();
        for (int i = 0; i < 100 && !peers.Any(p => p.Status.Established); i++) { foreach (var p in peers) p.Tick(); Drain(); }
        var leader = peers.First(p => p.Status.Established);
        var payload = new byte[64];
        hosts[2].Applied = 0; // a follower's applied count
        var sw = Stopwatch.StartNew();
        long rounds = 0;
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            for (int i = 0; i < batch; i++) leader.Propose(payload);
            Drain();
            if (++rounds % 64 == 0) foreach (var p in peers) p.Compact(p.Status.CommittedZxid);
        }
        sw.Stop();
        long committed = hosts[2].Applied;
        double rate = committed / sw.Elapsed.TotalSeconds;
        var follower = peers.First(p => p.Status.State == PeerState.Following).Status;
        output.WriteLine($"throughput: {committed} proposals committed in {sw.Elapsed.TotalSeconds:F2}s = {rate:F0} proposals/s "
            + $"(3 replicas, in-memory, no fsync, {batch} proposals per round; follower committed through {Zxid.Format(follower.CommittedZxid)})");
        return 0;
    }

    /// <summary>Storage that only tracks positions: no fsync, no copies (the engine keeps its own log view).</summary>
    sealed class NoFsyncStorage : IZabStorage
    {
        public HardState HardState { get; private set; }
        public long BaseZxid { get; private set; }
        public long LastZxid { get; private set; }
        public IReadOnlyList<LogEntry> ReadRange(long afterZxid, long toZxid) => [];
        public void SetHardState(HardState state) => HardState = state;
        public void Append(IReadOnlyList<LogEntry> txns) => LastZxid = txns[^1].Zxid;
        public void TruncateAfter(long zxid) => LastZxid = Math.Min(LastZxid, zxid);
        public void ResetTo(long baseZxid) => BaseZxid = LastZxid = baseZxid;
        public void Sync() { }
    }

    sealed class CountingHost(Queue<ZabMessage> queue) : IZabHost
    {
        public long Applied;
        public void Install(ZabSnapshot snapshot) { }
        public void Send(IReadOnlyList<ZabMessage> messages) { foreach (var m in messages) queue.Enqueue(m); }
        public void Apply(IReadOnlyList<LogEntry> committed) => Applied += committed.Count;
        public void Confirmed(long token) { }
    }

    sealed class NullStateMachine : IZabStateMachine
    {
        long zxid;
        public void Apply(LogEntry txn) => zxid = txn.Zxid;
        public void Install(ZabSnapshot snapshot) => zxid = snapshot.Zxid;
        public ZabSnapshot TakeSnapshot() => new(zxid, []);
    }
}
