using System.Text;
using OrleansZk.Zab.Simulator;

namespace OrleansZk.Zab.Tests.Interaction;

/// <summary>
/// A hand-driven cluster for the scenario scripts: messages are held until a command delivers
/// (or drops) them; every Ready is executed at once (persist, then queue messages, then apply)
/// and its writes and applies are printed, so a script reads as the protocol happening.
/// </summary>
public sealed partial class InteractionEnv
{
    /// <summary>A replica run by the production host loop (<see cref="ZabDriver"/>), synchronously, printing what it does.</summary>
    sealed class Node(InteractionEnv env) : IZabHost
    {
        public required int Id;
        public SimDisk Disk = new();
        public SimStateMachine? State;
        public ZabDriver? Driver;
        public ZabPeer? Peer => Driver?.Peer;
        public int Incarnation;

        public void Install(ZabSnapshot snapshot) => State!.Install(snapshot);
        public void Send(IReadOnlyList<ZabMessage> messages) => env.pending.AddRange(messages);
        public void Confirmed(long token) => env.Line($"  {Id} leadership confirmed through check {token}");

        public void Apply(IReadOnlyList<LogEntry> committed)
        {
            foreach (var t in committed) State!.Apply(t);
            env.Line($"  {Id} apply: {string.Join(' ', committed.Select(t => Zxid.Format(t.Zxid)))}");
        }
    }

    readonly List<Node> nodes = [];
    readonly List<ZabMessage> pending = [];
    readonly List<ZabMessage> held = [];   // kept back by "hold" to be delivered late by "release"
    readonly HashSet<(int, int)> cut = [];
    int snapThreshold = 1000, payloadCounter;
    StringBuilder output = new();

    public string Handle(string command)
    {
        output = new StringBuilder();
        var parts = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var args = parts.Skip(1).ToArray();
        switch (parts[0])
        {
            case "cluster": Cluster(args); break;
            case "tick": Tick(args); break;
            case "stabilize": Stabilize(args); break;
            case "deliver": Deliver(args, drop: false); break;
            case "drop": Deliver(args, drop: true); break;
            case "propose": Propose(args); break;
            case "crash": Crash(int.Parse(args[0])); break;
            case "restart": Start(nodes[int.Parse(args[0]) - 1]); break;
            case "partition": Partition(args); break;
            case "heal": cut.Clear(); break;
            case "compact": Compact(int.Parse(args[0])); break;
            case "status": Status(); break;
            case "log": Log(args); break;
            case "pending": foreach (var m in pending) Line(m.ToString()); break;
            case "hold": Hold(args); break;
            case "release": foreach (var m in held) Line($"released {m}"); pending.AddRange(held); held.Clear(); break;
            default: throw new ArgumentException($"unknown command {parts[0]}");
        }
        return output.ToString();
    }

    void Cluster(string[] args)
    {
        int n = int.Parse(args[0]);
        foreach (var a in args.Skip(1)) if (a.StartsWith("snap-threshold=")) snapThreshold = int.Parse(a["snap-threshold=".Length..]);
        for (int i = 1; i <= n; i++) nodes.Add(new Node(this) { Id = i });
        foreach (var node in nodes) Start(node);
    }

    void Start(Node node)
    {
        node.State = SimStateMachine.From(node.Disk.Snapshot);
        var ids = nodes.Select(x => x.Id).ToArray();
        var config = new ZabConfig { Id = node.Id, Peers = ids, Seed = node.Id * 100 + ++node.Incarnation, SnapThresholdEntries = snapThreshold };
        node.Driver = new ZabDriver(new ZabPeer(config, node.Disk, node.State, node.State.Zxid), node);
        Process(node);
    }

    void Crash(int id)
    {
        var node = nodes[id - 1];
        node.Driver = null;
        node.State = null;
        node.Disk.Crash(new Random(0));
        pending.RemoveAll(m => m.To == id);
    }

    void Partition(string[] args)
    {
        // partition 1 2 | 3 : cut every link between the groups
        var groups = string.Join(' ', args).Split('|').Select(g => g.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray()).ToArray();
        cut.Clear();
        foreach (var a in groups) foreach (var b in groups) if (a != b) foreach (int x in a) foreach (int y in b) cut.Add((x, y));
    }

    void Tick(string[] args)
    {
        int times = 1;
        var ids = new List<int>();
        foreach (var a in args)
        {
            if (a.StartsWith('x')) times = int.Parse(a[1..]);
            else if (a == "all") ids.AddRange(nodes.Select(n => n.Id));
            else ids.Add(int.Parse(a));
        }
        if (ids.Count == 0) ids.AddRange(nodes.Select(n => n.Id));
        for (int t = 0; t < times; t++)
            foreach (int id in ids)
                if (nodes[id - 1].Peer is { } p) { p.Tick(); Process(nodes[id - 1]); }
    }

    void Propose(string[] args)
    {
        var node = nodes[int.Parse(args[0]) - 1];
        string text = args.Length > 1 ? args[1] : $"op{++payloadCounter}";
        var r = node.Peer!.Propose(Encoding.UTF8.GetBytes(text));
        Line(r.Status switch
        {
            ProposeStatus.Proposed => $"{node.Id}: proposed '{text}' as {Zxid.Format(r.Zxid)}",
            ProposeStatus.Forwarded => $"{node.Id}: forwarded '{text}' to {r.LeaderId}",
            _ => $"{node.Id}: not leader (leader {r.LeaderId?.ToString() ?? "unknown"})",
        });
        Process(node);
    }

    void Compact(int id)
    {
        var node = nodes[id - 1];
        var snap = node.State!.TakeSnapshot();
        node.Disk.SaveSnapshot(snap);
        node.Disk.Compact(snap.Zxid);
        node.Peer!.Compact(snap.Zxid);
        Line($"{id}: snapshot at {Zxid.Format(snap.Zxid)}, log compacted");
    }

    void Hold(string[] args)
    {
        var batch = pending.Where(m => Matches(m, args)).ToList();
        foreach (var m in batch) { pending.Remove(m); held.Add(m); Line($"held {m}"); }
    }

    void Line(string s) => output.Append(s).Append('\n');
}
