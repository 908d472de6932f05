using System.Diagnostics;
using System.Globalization;
using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.LoadBench;

/// <summary>
/// The workloads of bench/zookeeper/ZkBench.java, run through <see cref="ZkClient"/>: per run, on
/// one session, the phases create, getData, setData, exists, delete of <c>n</c> znodes (25-byte
/// data, under a fresh parent) first with one request outstanding (sync), then with up to 10,000
/// (pipelined); then, on <c>n</c> recreated znodes, a 90% getData / 10% setData mix over 1, 4 and 16
/// sessions with one request outstanding each. Every choice (names, data bytes, keys, the split of
/// the mix's requests, the latency definition, percentiles, medians) is ZkBench's.
/// </summary>
internal sealed class LoadBench
{
    public const int DataBytes = 25;
    public const int PipelineWindow = 10_000;
    public static readonly int[] MixClients = [1, 4, 16];
    private const double MixGetFraction = 0.9;
    private const int SessionTimeoutMs = 30_000;
    private static readonly string[] Phases = ["create", "getData", "setData", "exists", "delete"];

    private sealed record Mode(string Name, int Window);

    private static readonly Mode Sync = new("sync", 1);
    private static readonly Mode Pipelined = new("pipelined", PipelineWindow);

    private readonly string _server;
    private readonly int _n;
    private readonly int _mixOps;
    private readonly long _seed;
    private readonly string? _latencyDir;
    private readonly Func<TimeSpan>? _serverCpu;
    private readonly byte[] _data = new byte[DataBytes];

    /// <param name="latencyDir">If set, every measured workload's latencies go to a file there (one µs value a line, in issue order per client).</param>
    /// <param name="serverCpu">The server process's CPU time so far, if the benchmark can see it.</param>
    public LoadBench(string server, int n, int mixOps, long seed, string? latencyDir, Func<TimeSpan>? serverCpu)
    {
        _serverCpu = serverCpu;
        _server = server;
        _n = n;
        _mixOps = mixOps;
        _seed = seed;
        _latencyDir = latencyDir;
        new JavaRandom(seed).NextBytes(_data);
    }

    /// <summary>Warm-up, then <paramref name="runs"/> suites; prints each run's lines and table, then the medians.</summary>
    public async Task RunAsync(int runs)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"LoadBench: server={_server} runs={runs} n={_n} mix_ops={_mixOps} seed={_seed}"));
        var all = new List<Result>();
        var zk = await ConnectAsync();
        try
        {
            Console.WriteLine("warm-up (not measured)");
            await WarmUpAsync(zk);
            for (var run = 1; run <= runs; run++)
            {
                Console.WriteLine($"run {run} of {runs}");
                var results = await SuiteAsync(zk, run);
                Result.PrintTable($"run {run}", results);
                all.AddRange(results);
            }
        }
        finally
        {
            await zk.DisposeAsync();
        }
        var medians = Result.Medians(all);
        Console.WriteLine();
        foreach (var r in medians) Console.WriteLine(r.Line($"stat=median runs={runs}"));
        foreach (var r in medians) Console.WriteLine(r.CpuLine($"stat=median runs={runs}"));
        Result.PrintTable($"medians over {runs} runs", medians);
    }

    /// <summary>Runs every phase once, pipelined, so that client and silo have compiled their hot paths.</summary>
    private async Task WarmUpAsync(ZkClient zk)
    {
        var parent = await CreateParentAsync(zk);
        var paths = Paths(parent, _n);
        foreach (var phase in Phases) await DriveAsync(_n, PipelineWindow, Op(phase, zk, paths));
        await zk.DeleteAsync(parent);
    }

    private async Task<List<Result>> SuiteAsync(ZkClient zk, int run)
    {
        var results = new List<Result>();
        var parent = await CreateParentAsync(zk);
        var paths = Paths(parent, _n);
        foreach (var mode in new[] { Sync, Pipelined })
        {
            foreach (var phase in Phases)
            {
                var stages = await StagesAsync(zk);
                results.Add(Report(phase, mode.Name, 1, await DriveAsync(_n, mode.Window, Op(phase, zk, paths)), run));
                await ReportStagesAsync(zk, stages, $"workload={phase} mode={mode.Name} clients=1 run={run}");
            }
        }
        await DriveAsync(_n, PipelineWindow, Op("create", zk, paths));
        foreach (var clients in MixClients)
        {
            var stages = await StagesAsync(zk);
            results.Add(Report("mix", Sync.Name, clients, await MixAsync(clients, paths), run));
            await ReportStagesAsync(zk, stages, $"workload=mix mode={Sync.Name} clients={clients} run={run}");
        }
        await DriveAsync(_n, PipelineWindow, Op("delete", zk, paths));
        await zk.DeleteAsync(parent);
        return results;
    }

    private Task<ZkClient> ConnectAsync() =>
        ZkClient.ConnectAsync(_server, new ZkClientOptions { SessionTimeoutMs = SessionTimeoutMs });

    private static async Task<string> CreateParentAsync(ZkClient zk)
    {
        var name = "/bench-" + Random.Shared.Next().ToString("x8", CultureInfo.InvariantCulture);
        return await zk.CreateAsync(name, []);
    }

    private static string[] Paths(string parent, int count)
    {
        var paths = new string[count];
        for (var i = 0; i < count; i++) paths[i] = string.Create(CultureInfo.InvariantCulture, $"{parent}/n{i:D7}");
        return paths;
    }

    /// <summary>
    /// The request of a phase on <c>paths[i]</c>: 25-byte data, world ACL, persistent, no watches,
    /// any version. An exists that finds no node counts as a failure (NoNode), as ZooKeeper's
    /// callback reports it.
    /// </summary>
    private Func<int, Task> Op(string phase, ZkClient zk, string[] paths) => phase switch
    {
        "create" => i => zk.CreateAsync(paths[i], _data),
        "getData" => i => zk.GetDataAsync(paths[i]),
        "setData" => i => zk.SetDataAsync(paths[i], _data),
        "exists" => async i =>
        {
            if (await zk.ExistsAsync(paths[i]).ConfigureAwait(false) is null) throw new NoNodeException(paths[i], null);
        },
        "delete" => i => zk.DeleteAsync(paths[i]),
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, null),
    };

    /// <summary>
    /// Issues requests 0 … count-1 in order with at most <paramref name="window"/> in flight. A
    /// request's latency runs from just before it is handed to the client to the moment its
    /// continuation starts. Throws the first failure once all have completed.
    /// </summary>
    private async Task<Timing> DriveAsync(int count, int window, Func<int, Task> op)
    {
        var latencies = new long[count];
        using var inFlight = new SemaphoreSlim(window, window);
        Exception? firstError = null;
        var cpu = Cpu();
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            await inFlight.WaitAsync().ConfigureAwait(false);
            var issued = Stopwatch.GetTimestamp();
            Task call;
            try
            {
                call = op(i);
            }
            catch (Exception e)
            {
                call = Task.FromException(e);
            }
            _ = CompleteAsync(call, i, issued);
        }
        for (var k = 0; k < window; k++) await inFlight.WaitAsync().ConfigureAwait(false);
        var elapsed = Stopwatch.GetTimestamp() - start;
        cpu = Cpu() - cpu;
        if (firstError != null) throw new InvalidOperationException($"a request failed: {firstError.Message}", firstError);
        return new Timing(latencies, elapsed, cpu);

        async Task CompleteAsync(Task call, int i, long issued)
        {
            try
            {
                await call.ConfigureAwait(false);
                latencies[i] = Stopwatch.GetTimestamp() - issued;
            }
            catch (Exception e)
            {
                latencies[i] = Stopwatch.GetTimestamp() - issued;
                Interlocked.CompareExchange(ref firstError, e, null);
            }
            inFlight.Release();
        }
    }

    /// <summary>
    /// <c>mixOps</c> requests in all, split evenly over <paramref name="clients"/> sessions (each a
    /// <see cref="ZkClient"/> with its own connection, as each ZooKeeper handle has its own socket),
    /// each with one request in flight: getData with probability 0.9, else setData, on a key drawn
    /// uniformly from <paramref name="paths"/>. Client c draws from <c>java.util.Random(seed + c)</c>.
    /// The clock starts once every session is open.
    /// </summary>
    private async Task<Timing> MixAsync(int clients, string[] paths)
    {
        var sessions = new List<ZkClient>();
        try
        {
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var timings = new List<Task<Timing>>();
            for (var c = 0; c < clients; c++)
            {
                var zk = await ConnectAsync();
                sessions.Add(zk);
                var count = _mixOps / clients + (c < _mixOps % clients ? 1 : 0);
                var op = MixOp(zk, paths, new JavaRandom(_seed + c), count);
                timings.Add(Task.Run(async () =>
                {
                    await go.Task.ConfigureAwait(false);
                    return await DriveAsync(count, 1, op).ConfigureAwait(false);
                }));
            }
            var cpu = Cpu();
            var start = Stopwatch.GetTimestamp();
            go.SetResult();
            var done = await Task.WhenAll(timings);
            var elapsed = Stopwatch.GetTimestamp() - start;
            cpu = Cpu() - cpu;
            return new Timing([.. done.SelectMany(t => t.Latencies)], elapsed, cpu);
        }
        finally
        {
            await Task.WhenAll(sessions.Select(s => s.DisposeAsync().AsTask()));
        }
    }

    /// <summary>A client's mix, drawn before the measurement so that the random generator is not timed.</summary>
    private Func<int, Task> MixOp(ZkClient zk, string[] paths, JavaRandom random, int count)
    {
        var keys = new int[count];
        var gets = new bool[count];
        for (var i = 0; i < count; i++)
        {
            keys[i] = random.NextInt(paths.Length);
            gets[i] = random.NextDouble() < MixGetFraction;
        }
        var getData = Op("getData", zk, paths);
        var setData = Op("setData", zk, paths);
        return i => (gets[i] ? getData : setData)(keys[i]);
    }

    private CpuUse Cpu()
    {
        using var self = Process.GetCurrentProcess();
        return new CpuUse(self.TotalProcessorTime, _serverCpu?.Invoke());
    }

    /// <summary>The serving leader's write stages (<see cref="OrleansZk.StageLatency"/>); empty when it cannot be asked.</summary>
    private static async Task<IReadOnlyList<StageLatency>> StagesAsync(ZkClient zk)
    {
        var leader = (await zk.GetEnsembleStatusAsync()).FirstOrDefault(s => s is { Role: "Leading", Serving: true });
        return leader?.Stages ?? [];
    }

    /// <summary>
    /// One line of where the phase's writes spent their time at the leader, from its stage
    /// histograms before and after: p50 / p99 in ms (bucket resolution, at most 25% high) and count.
    /// </summary>
    private static async Task ReportStagesAsync(ZkClient zk, IReadOnlyList<StageLatency> before, string what)
    {
        var line = new System.Text.StringBuilder("STAGES system=orleanszk ").Append(what);
        foreach (var stage in await StagesAsync(zk))
        {
            var d = stage.Since(before.FirstOrDefault(b => b.Name == stage.Name));
            line.Append(CultureInfo.InvariantCulture, $" {d.Name}={d.QuantileMs(0.5):F3}/{d.QuantileMs(0.99):F3}/{d.Count}");
        }
        Console.WriteLine(line);
    }

    private Result Report(string workload, string mode, int clients, Timing timing, int run)
    {
        var result = Result.Of(workload, mode, clients, timing);
        Console.WriteLine(result.Line($"stat=run run={run}"));
        Console.WriteLine(result.CpuLine($"stat=run run={run}"));
        if (_latencyDir != null)
        {
            Directory.CreateDirectory(_latencyDir);
            var ticksPerUs = Stopwatch.Frequency / 1e6;
            File.WriteAllLines(Path.Combine(_latencyDir, $"run{run}-{workload}-{mode}-{clients}.txt"),
                timing.Latencies.Select(t => (t / ticksPerUs).ToString("F1", CultureInfo.InvariantCulture)));
        }
        return result;
    }
}
