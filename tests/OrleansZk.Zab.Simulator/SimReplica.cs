using OrleansZk.Zab;

namespace OrleansZk.Zab.Simulator;

/// <summary>
/// The host of one simulated replica: owns its disk (which survives crashes), its state machine
/// and its engine (which do not), and executes each Ready exactly as a real host must:
/// install snapshot, persist + fsync, send, apply, Advance. Takes periodic snapshots and compacts.
/// </summary>
public sealed class SimReplica(int id, ZabConfig config, ZabComponents components, int snapshotEvery, bool sendBeforeSync = false)
{
    public int Id { get; } = id;
    public SimDisk Disk { get; } = new();
    public SimStateMachine? State { get; private set; }
    public ZabPeer? Peer { get; private set; }
    public bool Alive => Peer is not null;
    long appliedSinceSnapshot, previousSnapshot;

    public void Start(int incarnation)
    {
        State = SimStateMachine.From(Disk.Snapshot);
        Peer = new ZabPeer(config with { Seed = config.Seed * 31 + incarnation }, Disk, State, State.Zxid, components);
        appliedSinceSnapshot = 0;
    }

    /// <summary>Power loss: engine and state machine vanish, the disk keeps what was synced (plus a torn prefix).</summary>
    public int Crash(Random rng)
    {
        Peer = null;
        State = null;
        return Disk.Crash(rng);
    }

    /// <summary>Executes all pending Readys. Returns false if the replica crashed midway
    /// (<paramref name="crashMidWrite"/>: writes issued, fsync never happened, nothing sent).</summary>
    public bool Process(SimContext ctx, bool crashMidWrite = false)
    {
        while (Peer is { HasReady: true } peer)
        {
            var ready = peer.Ready();
            if (ready.Snapshot is { } snap)
            {
                Disk.SaveSnapshot(snap);
                State!.Install(snap);
                ctx.Checker.OnSnapshot(Id, snap.Zxid, State.Digest, ctx.Now);
            }
            if (sendBeforeSync) foreach (var m in ready.Messages) ctx.Send(m); // the "ack-before-fsync" host bug
            if (crashMidWrite && ready.LogWrites.Count > 0)
            {
                WriteUnsynced(ready);
                ctx.Crash(this);
                return false;
            }
            ReadyPersistence.Persist(Disk, ready);
            if (!sendBeforeSync) foreach (var m in ready.Messages) ctx.Send(m);
            foreach (var t in ready.Committed)
            {
                long prev = State!.Zxid;
                State.Apply(t);
                ctx.Checker.OnApply(Id, prev, t, State.Digest, ctx.Now);
                appliedSinceSnapshot++;
            }
            peer.Advance();
            ctx.Observe(this);
            if (appliedSinceSnapshot >= snapshotEvery) TakeSnapshot(peer);
        }
        return true;
    }

    /// <summary>The writes of a Ready in the host's order (log, then hard state), none of them synced.</summary>
    void WriteUnsynced(Ready ready)
    {
        foreach (var w in ready.LogWrites)
        {
            switch (w)
            {
                case AppendWrite a: Disk.Append(a.Txns); break;
                case TruncateWrite t: Disk.TruncateAfter(t.AfterZxid); break;
                case ResetWrite r: Disk.ResetTo(r.BaseZxid); break;
            }
        }
        if (ready.HardState is { } hs) Disk.SetHardState(hs);
    }

    /// <summary>Snapshot now; keep one snapshot interval of log behind it (so both DIFF and SNAP happen).</summary>
    void TakeSnapshot(ZabPeer peer)
    {
        appliedSinceSnapshot = 0;
        var snap = State!.TakeSnapshot();
        Disk.SaveSnapshot(snap);
        Disk.Compact(previousSnapshot);
        peer.Compact(previousSnapshot);
        previousSnapshot = snap.Zxid;
    }
}
