using System.Collections.Concurrent;
using System.Text;
using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.Silo.Tests;

/// <summary>
/// A write workload whose every acknowledgement is recorded, and the check that a (restarted)
/// service still holds all of it. Lanes issue writes concurrently, so many are pipelined and in
/// flight at any moment: sequential creates under <see cref="SeqParent"/>, and multis that each
/// create three nodes under <see cref="MultiParent"/>, at least two of them in different
/// partitions. Nothing is ever deleted, which is what makes the checks exact:
/// <list type="bullet">
/// <item>every acknowledged create is there, with its data;</item>
/// <item>the sequence numbers under <see cref="SeqParent"/> are exactly 0..n-1: a committed prefix
/// with no holes (an unacknowledged create may or may not be there, but never a gap);</item>
/// <item>each multi is all or nothing, in the children list and in each node's own partition,
/// and acknowledged ones are all there.</item>
/// </list>
/// </summary>
public sealed class Ledger
{
    public const string Root = "/durable";
    public const string SeqParent = Root + "/seq";
    public const string MultiParent = Root + "/m";
    private const int Partitions = 64; // ZkServiceOptions.Partitions, the default the tests run with

    private readonly ConcurrentDictionary<string, string> _ackedCreates = new();
    private readonly ConcurrentDictionary<int, string[]> _attemptedMultis = new();
    private readonly ConcurrentDictionary<int, bool> _ackedMultis = new();
    private int _nextOp;
    private int _acked;
    private int _inFlight;
    private readonly ConcurrentQueue<ZkException> _failures = new();

    public int Acknowledged => Volatile.Read(ref _acked);

    /// <summary>The writes that failed (each ended its lane).</summary>
    public IReadOnlyCollection<ZkException> Failures => _failures;

    /// <summary>Writes issued and not yet answered.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public int AcknowledgedCreates => _ackedCreates.Count;

    public int AcknowledgedMultis => _ackedMultis.Count;

    public static async Task CreateParentsAsync(ZkClient client)
    {
        await client.CreateAsync(Root, null);
        await client.CreateAsync(SeqParent, null);
        await client.CreateAsync(MultiParent, null);
    }

    /// <summary>
    /// Runs <paramref name="lanes"/> concurrent writers until each has done
    /// <paramref name="opsPerLane"/> writes or failed once (a failed write is unacknowledged: it
    /// may or may not have happened). <paramref name="onAck"/> sees the running total of
    /// acknowledgements after each one.
    /// </summary>
    public Task RunAsync(ZkClient client, string tag, int lanes, int opsPerLane, Action<int>? onAck = null) =>
        Task.WhenAll(Enumerable.Range(0, lanes).Select(lane => Task.Run(async () =>
        {
            for (var i = 0; i < opsPerLane; i++)
            {
                var op = Interlocked.Increment(ref _nextOp);
                Interlocked.Increment(ref _inFlight);
                try
                {
                    if (op % 2 == 0) await CreateAsync(client, $"{tag}:{lane}:{i}");
                    else await MultiAsync(client, op);
                }
                catch (ZkException e)
                {
                    _failures.Enqueue(e);
                    return;
                }
                finally
                {
                    Interlocked.Decrement(ref _inFlight);
                }
                var acked = Interlocked.Increment(ref _acked);
                onAck?.Invoke(acked);
            }
        })));

    private async Task CreateAsync(ZkClient client, string data)
    {
        var path = await client.CreateAsync(SeqParent + "/n-", Encoding.UTF8.GetBytes(data), mode: CreateMode.PersistentSequential);
        _ackedCreates[path] = data;
    }

    private async Task MultiAsync(ZkClient client, int op)
    {
        var paths = MultiPaths(op);
        _attemptedMultis[op] = paths;
        var tx = client.Transaction();
        foreach (var path in paths) tx.Create(path, Encoding.UTF8.GetBytes(path));
        await tx.CommitAsync();
        _ackedMultis[op] = true;
    }

    /// <summary>Three node paths for multi <paramref name="op"/>, the first two in different partitions.</summary>
    private static string[] MultiPaths(int op)
    {
        var a = $"{MultiParent}/{op}-a";
        var salt = 0;
        string b;
        do b = $"{MultiParent}/{op}-b{salt++}"; while (PathHash.PartitionOf(b, Partitions) == PathHash.PartitionOf(a, Partitions));
        return [a, b, $"{MultiParent}/{op}-c"];
    }

    /// <summary>Asserts everything acknowledged is there and nothing is half there (see the class summary).</summary>
    public async Task VerifyAsync(ZkClient client)
    {
        var seq = (await client.GetChildrenAsync(SeqParent)).ToHashSet();
        var numbers = seq.Select(name => int.Parse(name[^10..])).Order().ToList();
        Assert.True(numbers.SequenceEqual(Enumerable.Range(0, numbers.Count)),
            $"sequence numbers under {SeqParent} have holes: {Holes(numbers)}");
        var missing = _ackedCreates.Keys.Where(p => !seq.Contains(p[(SeqParent.Length + 1)..])).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {_ackedCreates.Count} acknowledged creates lost, e.g. {string.Join(", ", missing.Take(5))}");
        foreach (var chunk in _ackedCreates.Chunk(200))
        {
            var data = await Task.WhenAll(chunk.Select(kv => client.GetDataAsync(kv.Key)));
            for (var i = 0; i < chunk.Length; i++)
                Assert.Equal(chunk[i].Value, Encoding.UTF8.GetString(data[i].Data!));
        }

        var listed = (await client.GetChildrenAsync(MultiParent)).Select(name => $"{MultiParent}/{name}").ToHashSet();
        var attempted = _attemptedMultis.ToArray();
        var stray = listed.Except(attempted.SelectMany(m => m.Value)).ToList();
        Assert.True(stray.Count == 0, $"nodes no multi created: {string.Join(", ", stray.Take(5))}");
        foreach (var chunk in attempted.Chunk(100))
        {
            var exists = await Task.WhenAll(chunk.Select(m => Task.WhenAll(m.Value.Select(p => client.ExistsAsync(p)))));
            for (var i = 0; i < chunk.Length; i++)
            {
                var (op, paths) = chunk[i];
                var present = paths.Where(listed.Contains).ToList();
                Assert.True(present.Count == 0 || present.Count == paths.Length,
                    $"multi {op} half applied: {string.Join(", ", present)} of {string.Join(", ", paths)}");
                Assert.True(!_ackedMultis.ContainsKey(op) || present.Count == paths.Length, $"acknowledged multi {op} lost");
                for (var j = 0; j < paths.Length; j++)
                    Assert.True(exists[i][j] is not null == listed.Contains(paths[j]),
                        $"{paths[j]}: exists says {exists[i][j] is not null}, its parent's children list says {listed.Contains(paths[j])}");
            }
        }
    }

    private static string Holes(List<int> sorted)
    {
        var holes = new List<int>();
        for (int i = 0, expect = 0; i < sorted.Count && holes.Count < 10; expect++)
        {
            if (sorted[i] == expect) i++;
            else holes.Add(expect);
        }
        return $"{sorted.Count} nodes, max {sorted.LastOrDefault()}, missing {string.Join(", ", holes)}";
    }
}
