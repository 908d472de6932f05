using System.Text;
using OrleansZk.Zab.Simulator;

namespace OrleansZk.Zab.Tests.Interaction;

/// <summary>Delivery, Ready execution and the printed views.</summary>
public sealed partial class InteractionEnv
{
    /// <summary>Delivers (or drops) pending messages matching filters <c>from=N to=N type=NAME</c>, oldest first, once each.</summary>
    void Deliver(string[] args, bool drop)
    {
        var batch = pending.Where(m => Matches(m, args)).ToList();
        foreach (var m in batch)
        {
            pending.Remove(m);
            if (drop) { Line($"dropped {m}"); continue; }
            DeliverOne(m);
        }
    }

    /// <summary>Delivers everything (and what that produces) until no message is pending; <c>stabilize quiet</c> prints only writes and applies.</summary>
    void Stabilize(string[] args)
    {
        bool quiet = args.Contains("quiet");
        for (int guard = 0; pending.Count > 0 && guard < 10_000; guard++)
        {
            var m = pending[0];
            pending.RemoveAt(0);
            DeliverOne(m, quiet);
        }
    }

    void DeliverOne(ZabMessage m, bool quiet = false)
    {
        var node = nodes[m.To - 1];
        if (node.Peer is null || cut.Contains((m.From, m.To))) { if (!quiet) Line($"{m}  (lost)"); return; }
        if (!quiet) Line(m.ToString());
        node.Peer.Step(m);
        Process(node);
    }

    static bool Matches(ZabMessage m, string[] filters) => filters.All(f =>
        f.StartsWith("from=") ? m.From == int.Parse(f[5..])
        : f.StartsWith("to=") ? m.To == int.Parse(f[3..])
        : f.StartsWith("type=") ? string.Equals(m.ToString().Split(' ')[1], f[5..], StringComparison.OrdinalIgnoreCase)
        : throw new ArgumentException($"bad filter {f}"));

    /// <summary>Executes Readys through the host loop: snapshot, persist + fsync, queue messages, apply; prints writes and applies.</summary>
    void Process(Node node)
    {
        while (node.Driver?.Next() is { } job)
        {
            var r = job.Ready;
            var writes = new List<string>();
            if (r.Snapshot is { } snap)
            {
                node.Disk.SaveSnapshot(snap);
                writes.Add($"install snapshot {Zxid.Format(snap.Zxid)}");
            }
            foreach (var w in r.LogWrites)
            {
                writes.Add(w switch
                {
                    AppendWrite a => "append " + string.Join(' ', a.Txns.Select(t => Zxid.Format(t.Zxid))),
                    TruncateWrite t => $"truncate after {Zxid.Format(t.AfterZxid)}",
                    ResetWrite x => $"reset log to {Zxid.Format(x.BaseZxid)}",
                    _ => w.ToString()!,
                });
            }
            if (r.HardState is { } hs) writes.Add($"epochs current={hs.CurrentEpoch} accepted={hs.AcceptedEpoch}");
            if (writes.Count > 0) Line($"  {node.Id} persist: {string.Join(", ", writes)}");
            ReadyPersistence.Persist(node.Disk, r);
            node.Driver.Persisted(job);
        }
    }

    void Status()
    {
        foreach (var n in nodes)
        {
            if (n.Peer is null) { Line($"{n.Id}: down (disk last {Zxid.Format(n.Disk.LastZxid)})"); continue; }
            var s = n.Peer.Status;
            var sb = new StringBuilder($"{n.Id}: {s.State} {s.Phase}");
            if (s.LeaderId is { } l && s.State == PeerState.Following) sb.Append($" leader={l}");
            if (s.SessionEpoch != 0) sb.Append($" epoch={s.SessionEpoch}");
            if (s.Established) sb.Append(" established");
            sb.Append($" current={s.Hard.CurrentEpoch} accepted={s.Hard.AcceptedEpoch} last={Zxid.Format(s.LastZxid)} commit={Zxid.Format(s.CommittedZxid)}");
            sb.Append($" applied={Zxid.Format(n.State!.Zxid)} digest={n.State.Digest % 100000:D5}");
            Line(sb.ToString());
        }
    }

    void Log(string[] args)
    {
        var ids = args.Length == 0 ? nodes.Select(n => n.Id) : args.Select(int.Parse);
        foreach (int id in ids)
        {
            var d = nodes[id - 1].Disk;
            var entries = d.ReadRange(d.BaseZxid, d.LastZxid);
            Line($"{id}: base {Zxid.Format(d.BaseZxid)} | " + (entries.Count == 0 ? "(empty)" : string.Join(' ', entries.Select(t => $"{Zxid.Format(t.Zxid)}={Encoding.UTF8.GetString(t.Payload)}"))));
        }
    }
}
