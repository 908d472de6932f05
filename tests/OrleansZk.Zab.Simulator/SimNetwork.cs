using OrleansZk.Zab;

namespace OrleansZk.Zab.Simulator;

/// <summary>Fault rates of the simulated network, drawn per seed.</summary>
public sealed record NetworkFaults(double Drop, double Duplicate, double LongDelay, int MinDelay, int MaxDelay, int MaxLongDelay)
{
    public static readonly NetworkFaults None = new(0, 0, 0, 1, 1, 1);
}

/// <summary>
/// A simulated message network: every message gets a delivery tick (so messages reorder), may be
/// dropped or duplicated, and is lost if a partition separates the two ends at delivery time.
/// Single-threaded; all randomness from the simulation's seeded generator.
/// </summary>
public sealed class SimNetwork(Random rng, int replicas)
{
    readonly PriorityQueue<ZabMessage, (long Tick, long Seq)> queue = new();
    readonly int[] group = new int[replicas + 1];
    long seq;

    public NetworkFaults Faults { get; set; } = NetworkFaults.None;
    public long Sent { get; private set; }
    public int InFlight => queue.Count;

    public void Send(ZabMessage m, long now)
    {
        Sent++;
        if (rng.NextDouble() < Faults.Drop) return;
        Enqueue(m, now);
        if (rng.NextDouble() < Faults.Duplicate) Enqueue(m, now);
    }

    void Enqueue(ZabMessage m, long now)
    {
        int delay = rng.NextDouble() < Faults.LongDelay
            ? rng.Next(Faults.MaxDelay, Faults.MaxLongDelay + 1)
            : rng.Next(Faults.MinDelay, Faults.MaxDelay + 1);
        queue.Enqueue(m, (now + delay, seq++));
    }

    /// <summary>Takes the next message due at or before <paramref name="now"/> that the partition lets through.</summary>
    public ZabMessage? Next(long now)
    {
        while (queue.TryPeek(out var m, out var at) && at.Tick <= now)
        {
            queue.Dequeue();
            if (group[m.From] == group[m.To]) return m;
        }
        return null;
    }

    /// <summary>Splits the replicas: those in <paramref name="side"/> can only talk among themselves.</summary>
    public void Partition(IEnumerable<int> side)
    {
        Array.Clear(group);
        foreach (int id in side) group[id] = 1;
    }

    public void Heal() => Array.Clear(group);

    public bool Connected(int a, int b) => group[a] == group[b];

    public bool IsPartitioned => group.Any(g => g != 0);
}
