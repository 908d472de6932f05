using OrleansZk.Zab;

namespace OrleansZk.Zab.Simulator;

/// <summary>What a replica's host may ask of the simulated world.</summary>
public interface SimContext
{
    long Now { get; }
    Checker Checker { get; }
    /// <summary>The seed's one source of randomness.</summary>
    Random Rng { get; }
    void Send(ZabMessage m);
    void Crash(SimReplica r);
    /// <summary>Called after every executed Ready: records newly established leaders.</summary>
    void Observe(SimReplica r);
}

/// <summary>
/// One seed of the deterministic simulation (TigerBeetle VOPR style): a single-threaded loop in
/// which one <see cref="Random"/> decides everything — network faults, partitions, crashes,
/// restarts, client load. Phase 1 (safety): faults on, checkers watch every apply and every
/// established leader. Phase 2 (liveness): heal everything; a leader must be established and a
/// fresh proposal committed on a quorum within <see cref="SimOptions.LivenessTicks"/>.
/// </summary>
public sealed partial class Simulation : SimContext
{
    readonly SimOptions options;
    readonly Random rng;
    readonly SimNetwork net;
    readonly SimReplica[] replicas; // index = id - 1
    readonly int[] incarnations, downUntil;
    readonly TextWriter? trace;
    int crashes, partitions, elections, opCounter, tornCrashes;
    readonly int[] syncKinds = new int[3]; // DIFF, TRUNC, SNAP plans sent
    int partitionUntil = -1;

    public Simulation(int seed, SimOptions options, TextWriter? trace = null)
    {
        this.options = options;
        this.trace = trace;
        Seed = seed;
        rng = new Random(seed);
        net = new SimNetwork(rng, options.Replicas);
        var ids = Enumerable.Range(1, options.Replicas).ToArray();
        var components = Mutants.Components(options.Mutant, options.SnapThresholdEntries);
        // Per seed, how many ticks a Ready's persistence may take: 0 is a synchronous host, more
        // keeps several Readies in flight (pipelining) while the engine goes on.
        PersistDelay = options.PersistDelayTicks ?? (options.Mutant == "ack-before-fsync" ? 2 + rng.Next(2) : rng.Next(3));
        replicas = ids.Select(id => new SimReplica(id,
            new ZabConfig { Id = id, Peers = ids, Seed = seed * 7 + id, SnapThresholdEntries = options.SnapThresholdEntries },
            components, options.SnapshotEvery, PersistDelay, ackBeforeFsync: options.Mutant == "ack-before-fsync")).ToArray();
        incarnations = new int[options.Replicas];
        downUntil = new int[options.Replicas];
    }

    public int Seed { get; }
    public long Now { get; private set; }
    public Checker Checker { get; } = new();
    public Random Rng => rng;
    /// <summary>The most ticks a Ready's persistence takes in this seed.</summary>
    public int PersistDelay { get; }

    public SeedResult Run()
    {
        net.Faults = DrawFaults();
        Log($"seed {Seed}: {options.Replicas} replicas, network {net.Faults}, persistence within {PersistDelay} ticks");
        foreach (var r in replicas) StartReplica(r);
        try
        {
            for (; Now < options.FaultTicks && !Checker.Failed; Now++) Step(faults: true);
            if (!Checker.Failed) Liveness();
        }
        catch (Exception e)
        {
            Checker.Fail(Now, $"engine threw {e.GetType().Name}: {e.Message}");
        }
        return new SeedResult(Seed, Checker.Violations, crashes, partitions, elections, Checker.Commits,
            lossSamples, Now, net.Sent, tornCrashes, syncKinds[0], syncKinds[1], syncKinds[2], livenessTicks, Checker.Confirmations);
    }

    NetworkFaults DrawFaults() => new(
        Drop: rng.NextDouble() * 0.06, Duplicate: rng.NextDouble() * 0.04, LongDelay: rng.NextDouble() * 0.03,
        MinDelay: 1, MaxDelay: 1 + rng.Next(3), MaxLongDelay: 8 + rng.Next(16));

    /// <summary>One tick: faults, timers, message deliveries, client load, observation.</summary>
    void Step(bool faults)
    {
        if (faults) InjectFaults();
        RestartDue();
        foreach (var r in replicas)
        {
            if (!r.Alive) continue;
            r.Peer!.Tick();
            r.Process();
        }
        while (net.Next(Now) is { } m)
        {
            var r = replicas[m.To - 1];
            if (!r.Alive) continue;
            if (trace is not null) Log($"  deliver {m}");
            r.Peer!.Step(m);
            bool midWrite = faults && rng.NextDouble() < options.CrashMidWriteRate;
            if (!r.Process(midWrite)) tornCrashes++;
        }
        if (faults) SubmitLoad();
    }

    void SubmitLoad()
    {
        double n = options.ProposalsPerTick;
        while (n > 0 && rng.NextDouble() < n) { n -= 1; Submit(PickTarget()); }
        if (rng.NextDouble() < options.ChecksPerTick) RequestCheck();
    }

    /// <summary>Asks a replica that believes it leads (possibly a deposed one, cut off) to confirm its leadership.</summary>
    void RequestCheck()
    {
        var r = replicas[rng.Next(replicas.Length)];
        if (!r.Alive) return;
        long token = r.Peer!.RequestLeadershipCheck();
        if (token == 0) return;
        r.Checks[token] = (Now, r.Peer.Status.SessionEpoch);
        r.Process();
    }

    SimReplica? PickTarget()
    {
        var leader = EstablishedLeader();
        if (leader is not null && rng.Next(5) > 0) return leader;
        var r = replicas[rng.Next(replicas.Length)];
        return r.Alive ? r : null;
    }

    long Submit(SimReplica? r)
    {
        if (r is null) return 0;
        var payload = BitConverter.GetBytes(((long)Seed << 32) | (uint)++opCounter);
        var result = r.Peer!.Propose(payload);
        r.Process();
        return result.Status == ProposeStatus.Proposed ? result.Zxid : 0;
    }

    SimReplica? EstablishedLeader()
    {
        SimReplica? best = null;
        foreach (var r in replicas)
        {
            if (!r.Alive) continue;
            var s = r.Peer!.Status;
            if (s.Established && (best is null || s.SessionEpoch > best.Peer!.Status.SessionEpoch)) best = r;
        }
        return best;
    }

    public void Send(ZabMessage m)
    {
        if (m.Type == MessageType.NewLeader) syncKinds[(int)m.Kind]++;
        net.Send(m, Now);
    }

    public void Crash(SimReplica r)
    {
        int lost = r.Crash(rng);
        crashes++;
        downUntil[r.Id - 1] = (int)Now + 5 + rng.Next(60);
        Log($"tick {Now}: crash {r.Id} (lost {lost} unsynced writes), down until {downUntil[r.Id - 1]}");
    }

    void StartReplica(SimReplica r)
    {
        r.Start(++incarnations[r.Id - 1], this);
        Log($"tick {Now}: start {r.Id} (disk last {Zxid.Format(r.Disk.LastZxid)}, epochs {r.Disk.HardState})");
        r.Process();
    }

    void RestartDue()
    {
        foreach (var r in replicas)
            if (!r.Alive && downUntil[r.Id - 1] <= Now) StartReplica(r);
    }

    void Log(string line) => trace?.WriteLine(line);
}
