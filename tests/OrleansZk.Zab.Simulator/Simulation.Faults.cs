using OrleansZk.Zab;

namespace OrleansZk.Zab.Simulator;

/// <summary>Fault injection, the leader-loss stopwatch, and the liveness phase.</summary>
public sealed partial class Simulation
{
    readonly List<int> lossSamples = [];
    long establishedEpoch = -1;   // newest epoch seen established
    long lossStart = -1;
    int livenessTicks = -1;       // healed → new proposal committed on a quorum          // tick the established leader was lost (crash or cut off), -1 if none pending

    void InjectFaults()
    {
        if (rng.NextDouble() < options.CrashRate)
        {
            var leader = EstablishedLeader();
            var victim = leader is not null && rng.Next(2) == 0 ? leader : replicas[rng.Next(replicas.Length)];
            if (victim.Alive)
            {
                if (victim == leader) MarkLoss();
                Crash(victim);
            }
        }
        if (partitionUntil >= 0 && Now >= partitionUntil) { net.Heal(); partitionUntil = -1; Log($"tick {Now}: heal"); }
        else if (partitionUntil < 0 && rng.NextDouble() < options.PartitionRate) Partition();
    }

    /// <summary>Cuts off a minority: half the time the one containing the current leader.</summary>
    void Partition()
    {
        var leader = EstablishedLeader();
        int size = 1 + rng.Next((options.Replicas - 1) / 2);
        var side = replicas.Select(r => r.Id).OrderBy(_ => rng.Next()).Take(size).ToList();
        if (leader is not null && rng.Next(2) == 0 && !side.Contains(leader.Id)) side[0] = leader.Id;
        if (leader is not null && side.Contains(leader.Id)) MarkLoss();
        net.Partition(side);
        partitions++;
        partitionUntil = (int)Now + 15 + rng.Next(80);
        Log($"tick {Now}: partition {{{string.Join(",", side)}}} until {partitionUntil}");
    }

    void MarkLoss() { if (lossStart < 0) lossStart = Now; }

    /// <summary>Records a newly established leader (the one-leader-per-epoch checker, exact
    /// because it runs after every Ready) and closes the leader-loss stopwatch.</summary>
    public void Observe(SimReplica r)
    {
        var s = r.Peer!.Status;
        if (!s.Established || !Checker.OnEstablished(r.Id, s.SessionEpoch, Now)) return;
        elections++;
        Log($"tick {Now}: {r.Id} established as leader of epoch {s.SessionEpoch} (last {Zxid.Format(s.LastZxid)}, commit {Zxid.Format(s.CommittedZxid)})");
        if (s.SessionEpoch > establishedEpoch)
        {
            establishedEpoch = s.SessionEpoch;
            if (lossStart >= 0) { lossSamples.Add((int)(Now - lossStart)); lossStart = -1; }
        }
    }

    /// <summary>Heal everything; within the bound a leader must be established and commit a new proposal on a quorum.</summary>
    void Liveness()
    {
        net.Heal();
        net.Faults = net.Faults with { Drop = 0, Duplicate = 0, LongDelay = 0 };
        foreach (var r in replicas) downUntil[r.Id - 1] = 0;
        Log($"tick {Now}: heal all, restart all, liveness phase");
        long start = Now, deadline = Now + options.LivenessTicks;
        var pending = new List<long>();
        for (; Now < deadline && !Checker.Failed; Now++)
        {
            Step(faults: false);
            if (Now % 2 == 0 && EstablishedLeader() is { } leader && leader.Peer!.Status.SessionEpoch == establishedEpoch)
            {
                long z = Submit(leader);
                if (z != 0) pending.Add(z);
            }
            if (pending.Any(z => CommittedOnQuorum(z)))
            {
                livenessTicks = (int)(Now - start);
                Log($"tick {Now}: liveness ok after {livenessTicks} ticks");
                Quiesce();
                return;
            }
        }
        if (!Checker.Failed) Checker.Fail(Now, $"no leader committed a new proposal on a quorum within {options.LivenessTicks} ticks of healing");
    }

    /// <summary>
    /// With no more load, everything the leader has logged must get committed by the protocol's own
    /// messages (acks, pings, resyncs) — not only when a new proposal happens to come along.
    /// </summary>
    void Quiesce()
    {
        for (int i = 0; i < options.QuiesceTicks && !Checker.Failed; i++, Now++) Step(faults: false);
        if (EstablishedLeader() is { } leader && leader.Peer!.Status is var s && s.CommittedZxid < s.LastZxid)
            Checker.Fail(Now, $"leader {leader.Id} still has {Zxid.Format(s.LastZxid)} uncommitted (commit {Zxid.Format(s.CommittedZxid)}) after {options.QuiesceTicks} quiet ticks");
    }

    bool CommittedOnQuorum(long zxid) =>
        replicas.Count(r => r.Alive && r.State!.Zxid >= zxid) * 2 > replicas.Length && Checker.IsCommitted(zxid);
}
