using OrleansZk.Zab;

namespace OrleansZk.Zab.Simulator;

/// <summary>
/// The host of one simulated replica: owns its disk (which survives crashes), its state machine
/// and its engine (which do not), and runs the engine through the production host loop,
/// <see cref="ZabDriver"/>, with asynchronous persistence: each Ready's writes become durable
/// 0 to <c>persistDelay</c> ticks after it is taken, in order, while the engine goes on stepping
/// messages, ticking and proposing (pipelined Readies). Takes periodic snapshots and compacts.
/// </summary>
public sealed class SimReplica(int id, ZabConfig config, ZabComponents components, int snapshotEvery, int persistDelay, bool ackBeforeFsync = false)
    : IZabHost
{
    readonly Queue<(PersistJob Job, long Due)> persisting = new();
    SimContext ctx = null!;
    long lastDue;

    public int Id { get; } = id;
    public SimDisk Disk { get; } = new();
    public SimStateMachine? State { get; private set; }
    public ZabPeer? Peer => Driver?.Peer;
    public ZabDriver? Driver { get; private set; }
    public bool Alive => Driver is not null;
    long appliedSinceSnapshot, previousSnapshot;

    /// <summary>Leadership checks requested and not yet confirmed: token → tick of the request and the epoch led then.</summary>
    public Dictionary<long, (long Tick, long Epoch)> Checks { get; } = [];

    public void Start(int incarnation, SimContext context)
    {
        ctx = context;
        State = SimStateMachine.From(Disk.Snapshot);
        var peer = new ZabPeer(config with { Seed = config.Seed * 31 + incarnation }, Disk, State, State.Zxid, components);
        Driver = new ZabDriver(peer, this);
        persisting.Clear();
        Checks.Clear();
        appliedSinceSnapshot = 0;
        lastDue = 0;
    }

    /// <summary>Power loss: engine, state machine and unfinished jobs vanish, the disk keeps what was synced (plus a torn prefix).</summary>
    public int Crash(Random rng)
    {
        Driver = null;
        State = null;
        persisting.Clear();
        return Disk.Crash(rng);
    }

    /// <summary>
    /// Takes the engine's new jobs and completes the ones due by now, in order. Returns false if the
    /// replica crashed midway (<paramref name="crashMidWrite"/>: the next due job's writes issued,
    /// its fsync never happened, nothing of it sent).
    /// </summary>
    public bool Process(bool crashMidWrite = false)
    {
        Take();
        while (Driver is { } driver && persisting.TryPeek(out var head) && head.Due <= ctx.Now)
        {
            var job = head.Job;
            bool torn = crashMidWrite && job.Ready.LogWrites.Count > 0;
            persisting.Dequeue();
            if (job.Ready.Snapshot is { } snap) Disk.SaveSnapshot(snap);
            if (torn)
            {
                WriteUnsynced(job.Ready);
                ctx.Crash(this);
                return false;
            }
            ReadyPersistence.Persist(Disk, job.Ready);
            driver.Persisted(job);
            ctx.Observe(this);
            if (appliedSinceSnapshot >= snapshotEvery) TakeSnapshot(driver.Peer);
            Take();
        }
        return true;
    }

    /// <summary>Hands every job the engine has to the simulated disk, each due a random delay after the previous one.</summary>
    void Take()
    {
        while (Next() is { } job)
        {
            lastDue = Math.Max(lastDue, ctx.Now + ctx.Rng.Next(persistDelay + 1));
            persisting.Enqueue((job, lastDue));
            // The "ack-before-fsync" host bug: a job's messages leave as soon as it is taken,
            // before its writes are durable (Send then drops them at completion).
            if (ackBeforeFsync) foreach (var m in job.Ready.Messages) ctx.Send(m);
        }
    }

    bool taking; // inside Driver.Next(), which sends a job's proposals

    PersistJob? Next()
    {
        taking = true;
        try { return Driver?.Next(); }
        finally { taking = false; }
    }

    public void Install(ZabSnapshot snapshot)
    {
        State!.Install(snapshot);
        ctx.Checker.OnSnapshot(Id, snapshot.Zxid, State.Digest, ctx.Now);
    }

    public void Send(IReadOnlyList<ZabMessage> messages)
    {
        if (ackBeforeFsync && !taking) return; // already sent when the job was taken
        foreach (var m in messages) ctx.Send(m);
    }

    public void Apply(IReadOnlyList<LogEntry> committed)
    {
        foreach (var t in committed)
        {
            long prev = State!.Zxid;
            State.Apply(t);
            ctx.Checker.OnApply(Id, prev, t, State.Digest, ctx.Now);
            appliedSinceSnapshot++;
        }
    }

    public void Confirmed(long token)
    {
        long epoch = Peer!.Status.SessionEpoch;
        foreach (var t in Checks.Keys.Where(t => t <= token).ToList())
        {
            // Checks of an earlier leadership are never confirmed: a host drops them when its role changes.
            if (Checks[t].Epoch == epoch) ctx.Checker.OnLeadershipConfirmed(Id, epoch, Checks[t].Tick, ctx.Now);
            Checks.Remove(t);
        }
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
