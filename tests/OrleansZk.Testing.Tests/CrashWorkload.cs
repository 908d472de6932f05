using OrleansZk.Testing.Linearizability;

namespace OrleansZk.Testing.Tests;

/// <summary>
/// Histories shaped like a crash test of the service, linearizable by construction, from a seed:
/// clients pipeline requests (up to <see cref="Pipeline"/> in flight, taking effect and answered in
/// the order sent, as a session's are), one leader orders everything, and now and then the leader
/// dies. Every request in flight at a crash ends Unknown: those that took effect before the crash
/// (a prefix of each client's) stay, the rest are lost. Clients send nothing while the service is
/// down. Every value written is unique ("v" + its operation id).
/// </summary>
public sealed record CrashWorkload(int Operations, int Keys, int Clients, int Pipeline, int Crashes, int Latency = 100)
{
    public List<Operation<ZnodeInput, ZnodeOutput>> Generate(int seed)
    {
        var rng = new Random(seed);
        var ops = new List<Planned>();
        var clients = Enumerable.Range(0, Clients).Select(c => new List<Planned>()).ToArray();
        for (var id = 0; id < Operations; id++)
        {
            var c = rng.Next(Clients);
            var mine = clients[c];
            var prev = mine.Count > 0 ? mine[^1] : null;
            var call = (prev?.Call ?? rng.Next(Latency)) + rng.Next(1, Latency / 4);
            if (mine.Count >= Pipeline) call = Math.Max(call, mine[^Pipeline].Return);
            var point = Math.Max((prev?.Point ?? 0) + 1, call + rng.Next(Latency));
            var ret = Math.Max(prev?.Return ?? 0, point + rng.Next(Latency));
            var p = new Planned(id, c, $"/k{rng.Next(Keys)}", RandomInput(rng, id), call, point, ret);
            mine.Add(p);
            ops.Add(p);
        }

        var end = ops.Max(o => o.Return);
        var downtime = 5L * Latency;
        var crashes = Enumerable.Range(0, Crashes).Select(_ => rng.NextInt64(end)).ToArray();
        var kept = ops.Where(o => !crashes.Any(t => o.Call >= t && o.Call < t + downtime)).ToList();
        foreach (var o in kept)
            foreach (var t in crashes.Where(t => o.Call < t && t < o.Return))
            {
                o.Unknown = true;
                o.Effect &= o.Point < t;
            }

        var states = new Dictionary<string, ZnodeState>();
        foreach (var o in kept.Where(o => o.Effect).OrderBy(o => o.Point))
        {
            (o.Output, var next) = ZnodeModel.Apply(states.GetValueOrDefault(o.Key, ZnodeState.Absent), o.Input);
            states[o.Key] = next;
        }
        return kept.Select(o => new Operation<ZnodeInput, ZnodeOutput>(o.Id, o.Client, o.Key, o.Input, o.Call, o.Return,
            o.Unknown ? Outcome.Unknown : o.Output!.Code == ZnodeCode.Ok ? Outcome.Ok : Outcome.Fail,
            o.Unknown ? null : o.Output)).ToList();
    }

    private static ZnodeInput RandomInput(Random rng, int id) => rng.Next(100) switch
    {
        < 5 => ZnodeInput.Create($"v{id}"),
        < 8 => ZnodeInput.Delete(),
        < 55 => ZnodeInput.SetData($"v{id}"),
        < 60 => ZnodeInput.SetData($"v{id}", rng.Next(8)),
        < 95 => ZnodeInput.GetData(),
        _ => ZnodeInput.Exists(),
    };

    private sealed record Planned(int Id, int Client, string Key, ZnodeInput Input, long Call, long Point, long Return)
    {
        public bool Unknown { get; set; }
        public bool Effect { get; set; } = true;
        public ZnodeOutput? Output { get; set; }
    }
}
