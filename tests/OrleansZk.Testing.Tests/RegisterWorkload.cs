using OrleansZk.Testing.Linearizability;

namespace OrleansZk.Testing.Tests;

/// <summary>
/// Linearizable znode histories by construction, from a seed. Clients issue one request at a
/// time on random keys; each request gets a random interval and a random point inside it where
/// it takes effect, and the outputs come from applying the requests to a sequential znode
/// (<see cref="ZnodeModel.Apply"/>) in the order of those points. A fraction of requests end
/// Unknown: half of those take effect (at a point that may lie long after the client gave up),
/// half never do. Every value written is unique ("v" + its operation id).
/// </summary>
public sealed record RegisterWorkload(int Operations, int Keys, int Clients, double UnknownFraction = 0, int MaxLatency = 100)
{
    public List<Operation<ZnodeInput, ZnodeOutput>> Generate(int seed)
    {
        var rng = new Random(seed);
        var clock = new long[Clients];
        var planned = new List<(int Id, int Client, string Key, ZnodeInput Input, long Call, long Return, bool Unknown, bool Effect, long Point)>();
        for (var id = 0; id < Operations; id++)
        {
            var client = rng.Next(Clients);
            var call = clock[client] + rng.Next(1, 10);
            var key = $"/k{rng.Next(Keys)}";
            var input = RandomInput(rng, id);
            var unknown = rng.NextDouble() < UnknownFraction;
            long point, ret;
            if (unknown)
            {
                ret = call + rng.Next(MaxLatency);
                point = call + rng.Next(MaxLatency * 20);
            }
            else
            {
                point = call + rng.Next(MaxLatency);
                ret = point + rng.Next(MaxLatency);
            }
            clock[client] = ret;
            planned.Add((id, client, key, input, call, ret, unknown, !unknown || rng.Next(2) == 0, point));
        }

        var outputs = new ZnodeOutput?[Operations];
        var states = new Dictionary<string, ZnodeState>();
        foreach (var p in planned.Where(p => p.Effect).OrderBy(p => p.Point).ThenBy(p => p.Id))
        {
            var (output, next) = ZnodeModel.Apply(states.GetValueOrDefault(p.Key, ZnodeState.Absent), p.Input);
            states[p.Key] = next;
            outputs[p.Id] = output;
        }

        return planned.Select(p => p.Unknown
            ? new Operation<ZnodeInput, ZnodeOutput>(p.Id, p.Client, p.Key, p.Input, p.Call, p.Return, Outcome.Unknown, null)
            : new Operation<ZnodeInput, ZnodeOutput>(p.Id, p.Client, p.Key, p.Input, p.Call, p.Return,
                outputs[p.Id]!.Code == ZnodeCode.Ok ? Outcome.Ok : Outcome.Fail, outputs[p.Id])).ToList();
    }

    private static ZnodeInput RandomInput(Random rng, int id)
    {
        var version = rng.Next(2) == 0 ? -1 : rng.Next(4);
        return rng.Next(100) switch
        {
            < 15 => ZnodeInput.Create($"v{id}"),
            < 20 => ZnodeInput.Delete(version),
            < 55 => ZnodeInput.SetData($"v{id}", version),
            < 90 => ZnodeInput.GetData(),
            _ => ZnodeInput.Exists(),
        };
    }
}
