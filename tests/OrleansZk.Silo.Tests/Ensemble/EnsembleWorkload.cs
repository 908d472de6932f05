using System.Collections.Concurrent;
using System.Text;
using OrleansZk.Client;
using OrleansZk.Core;
using OrleansZk.Testing.Linearizability;

namespace OrleansZk.Silo.Tests.Ensemble;

/// <summary>
/// What the crash tests throw at an ensemble while they kill its members, every operation recorded
/// (invoke, ok / fail / unknown) for the linearizability checker: each of several sessions keeps
/// several requests in flight — conditional setData and linearizable reads of a few registers,
/// sequential creates under one parent, multis creating two nodes in different partitions, and
/// ephemerals of its own session. ConnectionLoss (outcome unknown) is recorded as such, never retried.
/// </summary>
public sealed class EnsembleWorkload
{
    public const int Registers = 5;
    public const string SeqParent = "/seq";
    private static readonly string[] Keys = Enumerable.Range(0, Registers).Select(i => $"/k{i}").ToArray();

    private readonly List<ZkClient> _clients;

    /// <summary>The sessions the workload runs on.</summary>
    public IReadOnlyList<ZkClient> Clients => _clients;
    private readonly int _inFlight;
    private int _counter;

    public EnsembleWorkload(IEnumerable<ZkClient> clients, int inFlight = 4)
    {
        _clients = clients.ToList();
        _inFlight = inFlight;
    }

    public History<ZnodeInput, ZnodeOutput> RegisterHistory { get; } = new();
    public History<SequenceInput, SequenceOutput> Sequence { get; } = new();
    public ConcurrentBag<MultiRecord<string?>> Multis { get; } = [];

    /// <summary>Ephemerals whose create was acknowledged, by the session that owns them.</summary>
    public ConcurrentDictionary<long, ConcurrentBag<string>> Ephemerals { get; } = new();

    /// <summary>Sequential nodes whose create was acknowledged.</summary>
    public ConcurrentBag<string> SequentialNodes { get; } = [];

    public int Acknowledged;
    public int Unknown;

    /// <summary>The registers and parents the workload needs, made before it runs.</summary>
    public static async Task PrepareAsync(ZkClient zk)
    {
        foreach (var key in Keys) await zk.CreateAsync(key, "init"u8.ToArray());
        foreach (var parent in new[] { SeqParent, "/m", "/eph" }) await zk.CreateAsync(parent, null);
    }

    /// <summary>Runs until <paramref name="stop"/> is cancelled.</summary>
    public Task RunAsync(CancellationToken stop) =>
        Task.WhenAll(_clients.SelectMany((zk, c) => Enumerable.Range(0, _inFlight).Select(lane => LaneAsync(zk, c, lane, stop))));

    /// <summary>
    /// One lane: a sequence of requests of one session, each sent when the previous one is answered
    /// (so its requests keep their order, which the checker's client order relies on; the session's
    /// lanes interleave freely). After a lost connection it waits for the client to reconnect (a
    /// second at most) instead of piling up requests that can only fail.
    /// </summary>
    private async Task LaneAsync(ZkClient zk, int session, int lane, CancellationToken stop)
    {
        var client = session * _inFlight + lane;
        var rng = new Random(client);
        var versions = new int[Registers];
        while (!stop.IsCancellationRequested)
        {
            if (!zk.State.IsConnected())
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                while (!zk.State.IsConnected() && !zk.State.IsFinal() && clock.ElapsedMilliseconds < 1_000) await Task.Delay(Poll.Interval, CancellationToken.None);
            }
            var roll = rng.Next(100);
            if (roll < 40) await SetDataAsync(zk, client, rng.Next(Registers), versions, rng);
            else if (roll < 55) await ReadAsync(zk, client, rng.Next(Registers), versions);
            else if (roll < 75) await SequentialAsync(zk, client);
            else if (roll < 90) await MultiAsync(zk, client);
            else await EphemeralAsync(zk);
        }
    }

    private async Task SetDataAsync(ZkClient zk, int client, int k, int[] versions, Random rng)
    {
        var data = $"c{client}-{Interlocked.Increment(ref _counter)}";
        var expected = rng.Next(4) == 0 ? -1 : versions[k];
        var op = RegisterHistory.Invoke(client, Keys[k], ZnodeInput.SetData(data, expected));
        try
        {
            var stat = await zk.SetDataAsync(Keys[k], Encoding.UTF8.GetBytes(data), expected);
            versions[k] = stat.Version;
            op.Ok(ZnodeOutput.Set(stat.Version));
            Interlocked.Increment(ref Acknowledged);
        }
        catch (BadVersionException)
        {
            op.Fail(ZnodeOutput.BadVersion);
        }
        catch (ZkException e) when (e is ConnectionLossException or SessionExpiredException)
        {
            op.Unknown();
            Interlocked.Increment(ref Unknown);
        }
    }

    private async Task ReadAsync(ZkClient zk, int client, int k, int[] versions)
    {
        var op = RegisterHistory.Invoke(client, Keys[k], ZnodeInput.GetData());
        try
        {
            var read = await zk.GetDataAsync(Keys[k], ReadConsistency.Linearizable);
            versions[k] = read.Stat.Version;
            op.Ok(ZnodeOutput.Get(read.Data, read.Stat.Version));
        }
        catch (ZkException e) when (e is ConnectionLossException or SessionExpiredException)
        {
            op.Unknown();
        }
    }

    private async Task SequentialAsync(ZkClient zk, int client)
    {
        var op = Sequence.Invoke(client, SeqParent, SequenceInput.Create);
        try
        {
            var path = await zk.CreateAsync(SeqParent + "/n-", null, mode: CreateMode.PersistentSequential);
            op.Ok(SequenceOutput.Created(SequenceModel.NumberOf(path)));
            SequentialNodes.Add(path);
            Interlocked.Increment(ref Acknowledged);
        }
        catch (ZkException e) when (e is ConnectionLossException or SessionExpiredException)
        {
            op.Unknown();
            Interlocked.Increment(ref Unknown);
        }
    }

    private async Task MultiAsync(ZkClient zk, int client)
    {
        var n = Interlocked.Increment(ref _counter);
        // Two nodes whose names put them in different partitions (the multi spans them).
        string a = $"/m/a{n}", b = $"/m/b{n}";
        for (var i = 0; PathHash.PartitionOf(a, 16) == PathHash.PartitionOf(b, 16); i++) b = $"/m/b{n}-{i}";
        var value = $"multi-{n}";
        var outcome = Outcome.Unknown;
        try
        {
            await zk.MultiAsync([
                new CreateRequest(a, Encoding.UTF8.GetBytes(value), AclList.OpenUnsafe, CreateMode.Persistent),
                new CreateRequest(b, Encoding.UTF8.GetBytes(value), AclList.OpenUnsafe, CreateMode.Persistent)]);
            outcome = Outcome.Ok;
            Interlocked.Increment(ref Acknowledged);
        }
        catch (ZkException e) when (e is ConnectionLossException or SessionExpiredException)
        {
            Interlocked.Increment(ref Unknown);
        }
        Multis.Add(new MultiRecord<string?>(n, client, outcome, new Dictionary<string, string?> { [a] = value, [b] = value }));
    }

    private async Task EphemeralAsync(ZkClient zk)
    {
        var path = $"/eph/s{zk.SessionId:x}-{Interlocked.Increment(ref _counter)}";
        try
        {
            await zk.CreateAsync(path, null, mode: CreateMode.Ephemeral);
            Ephemerals.GetOrAdd(zk.SessionId, _ => []).Add(path);
            Interlocked.Increment(ref Acknowledged);
        }
        catch (ZkException e) when (e is ConnectionLossException or SessionExpiredException)
        {
            Interlocked.Increment(ref Unknown);
        }
    }

    /// <summary>The model every register starts in (created with "init" before the run).</summary>
    public static ZnodeModel RegisterModel => new(new ZnodeState(true, "init", 0));
}
