using OrleansZk.Zab;

namespace OrleansZk.Zab.Simulator;

/// <summary>
/// The safety checkers. The global committed sequence is a chain of zxids (each entry remembers
/// its predecessor, its payload hash and the state digest after it); every replica's applied
/// sequence must walk along that one chain: nothing committed lost or changed, each zxid
/// applied once, equal digests at equal zxids. At most one replica is ever established as
/// leader of a given epoch.
/// </summary>
public sealed class Checker
{
    readonly record struct Link(long Prev, ulong Payload, ulong Digest);

    readonly Dictionary<long, Link> chain = new() { [0] = new Link(-1, 0, 0) };
    readonly Dictionary<long, (int Replica, long Tick)> leaders = [];
    readonly List<string> violations = [];

    public long Tip { get; private set; }
    public int Commits => chain.Count - 1;
    public IReadOnlyList<string> Violations => violations;
    public bool Failed => violations.Count > 0;

    public bool IsCommitted(long zxid) => chain.ContainsKey(zxid);

    /// <summary>A replica applied <paramref name="txn"/> right after <paramref name="prev"/>, reaching <paramref name="digest"/>.</summary>
    public void OnApply(int replica, long prev, LogEntry txn, ulong digest, long tick)
    {
        long z = txn.Zxid;
        ulong payload = SimStateMachine.PayloadHash(txn.Payload);
        if (z <= prev) { Fail(tick, $"replica {replica} applied {Zxid.Format(z)} after {Zxid.Format(prev)} (zxid order / applied twice)"); return; }
        if (chain.TryGetValue(z, out var link))
        {
            if (link.Prev != prev) Fail(tick, $"replica {replica} applied {Zxid.Format(z)} after {Zxid.Format(prev)}, but it follows {Zxid.Format(link.Prev)} in the committed sequence");
            else if (link.Payload != payload) Fail(tick, $"replica {replica} applied a different txn as {Zxid.Format(z)}");
            else if (link.Digest != digest) Fail(tick, $"replica {replica} digest differs at {Zxid.Format(z)}");
            return;
        }
        if (prev != Tip)
        {
            Fail(tick, $"replica {replica} committed {Zxid.Format(z)} after {Zxid.Format(prev)}, but the committed sequence continues with {Describe(prev)} (fork: committed txns lost or changed)");
            return;
        }
        chain[z] = new Link(prev, payload, digest);
        Tip = z;
    }

    /// <summary>A replica installed a snapshot; it must be a point of the committed sequence with the same digest.</summary>
    public void OnSnapshot(int replica, long zxid, ulong digest, long tick)
    {
        if (!chain.TryGetValue(zxid, out var link)) Fail(tick, $"replica {replica} installed a snapshot at uncommitted {Zxid.Format(zxid)}");
        else if (link.Digest != digest) Fail(tick, $"replica {replica} snapshot digest differs at {Zxid.Format(zxid)}");
    }

    /// <summary>A replica is an established leader of <paramref name="epoch"/>.</summary>
    public bool OnEstablished(int replica, long epoch, long tick)
    {
        if (leaders.TryGetValue(epoch, out var other))
        {
            if (other.Replica != replica) Fail(tick, $"two established leaders in epoch {epoch}: {other.Replica} and {replica}");
            return false;
        }
        leaders[epoch] = (replica, tick);
        return true;
    }

    /// <summary>Leadership checks confirmed by the leader of <paramref name="epoch"/>.</summary>
    public int Confirmations { get; private set; }

    /// <summary>
    /// The leader of <paramref name="epoch"/> confirmed a leadership check requested at
    /// <paramref name="requestTick"/>: no newer epoch may have had an established leader by then
    /// (its writes could have been acknowledged, and a read served by the old leader would miss them).
    /// </summary>
    public void OnLeadershipConfirmed(int replica, long epoch, long requestTick, long tick)
    {
        Confirmations++;
        foreach (var (e, l) in leaders)
            if (e > epoch && l.Tick < requestTick)
                Fail(tick, $"replica {replica} confirmed its leadership of epoch {epoch} for a check requested at tick {requestTick}, but replica {l.Replica} was established in epoch {e} at tick {l.Tick}");
    }

    public void Fail(long tick, string what) => violations.Add($"tick {tick}: {what}");

    string Describe(long prev)
    {
        foreach (var (z, l) in chain) if (l.Prev == prev) return Zxid.Format(z);
        return "(nothing)";
    }
}
