using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.WatchBench;

/// <summary>What to measure and how often (the flags of bench/zookeeper/WatchBench.java).</summary>
internal sealed record WatchBenchOptions(
    string Server,
    IReadOnlySet<string> Workloads,
    int Iterations,
    int Warmup,
    int[] Fanout,
    int Reps,
    int ExpirySessions,
    int TimeoutMs,
    int TickMs,
    long Seed);

/// <summary>
/// OrleansZk's side of bench/zookeeper/WatchBench.java, through <see cref="ZkClient"/>: watch
/// latency (one-shot and persistent), fan-out to many sessions, and how late an abandoned session
/// expires. Every definition (what is timed, warm-up, repetitions, percentiles, medians) is that
/// file's; the README beside it describes them.
/// </summary>
internal sealed partial class WatchBench(WatchBenchOptions options)
{
    public static readonly string[] AllWorkloads = ["latency", "fanout", "expiry"];
    private const int DataBytes = 25;
    private const int SessionTimeoutMs = 30_000;
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FanoutTimeout = TimeSpan.FromSeconds(120);

    private readonly byte[] _data = Data(options.Seed);

    private static byte[] Data(long seed)
    {
        var data = new byte[DataBytes];
        new Random((int)seed).NextBytes(data);
        return data;
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    /// <summary>Warm-up, then <paramref name="runs"/> runs; prints each run's lines and table, then medians and pooled samples.</summary>
    public async Task RunAsync(int runs)
    {
        var o = options;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"WatchBench: server={o.Server} runs={runs} workloads={string.Join(',', o.Workloads.Order())} iterations={o.Iterations} warmup={o.Warmup} fanout=[{string.Join(", ", o.Fanout)}] reps={o.Reps} watchers=zkclient expiry_sessions={o.ExpirySessions} timeout_ms={o.TimeoutMs} tick_ms={o.TickMs}"));
        var all = new List<Result>();
        await using var writer = await ConnectAsync(SessionTimeoutMs);
        var parent = await writer.CreateAsync("/watch-" + Random.Shared.Next().ToString("x8", CultureInfo.InvariantCulture), []);
        try
        {
            var node = await writer.CreateAsync(parent + "/latency", _data);
            var fanNode = await writer.CreateAsync(parent + "/fanout", _data);
            if (o.Workloads.Contains("latency") && o.Warmup > 0)
            {
                Console.WriteLine("warm-up (not measured)");
                await LatencyAsync(writer, node, persistent: false, o.Warmup);
                await LatencyAsync(writer, node, persistent: true, o.Warmup);
            }
            for (var run = 1; run <= runs; run++)
            {
                Console.WriteLine($"run {run} of {runs}");
                var stat = $"stat=run run={run}";
                var results = new List<Result>();
                if (o.Workloads.Contains("latency"))
                {
                    results.Add(Report(new Result("latency", "oneshot", 1, await LatencyAsync(writer, node, persistent: false, o.Iterations)), stat));
                    results.Add(Report(new Result("latency", "persistent", 1, await LatencyAsync(writer, node, persistent: true, o.Iterations)), stat));
                }
                if (o.Workloads.Contains("fanout"))
                {
                    foreach (var count in o.Fanout)
                    {
                        foreach (var r in await FanoutAsync(writer, fanNode, count))
                            results.Add(Report(r, stat));
                    }
                }
                if (o.Workloads.Contains("expiry"))
                    results.Add(Report(await ExpiryAsync(parent, run), stat));
                Result.PrintTable($"run {run}", results);
                all.AddRange(results);
            }
        }
        finally
        {
            foreach (var child in await writer.GetChildrenAsync(parent))
                await writer.DeleteAsync(parent + "/" + child);
            await writer.DeleteAsync(parent);
        }
        Console.WriteLine();
        var medians = Result.Medians(all);
        foreach (var r in medians) Console.WriteLine(r.Line($"stat=median runs={runs}"));
        var pooled = Result.Pooled(all);
        foreach (var r in pooled) Console.WriteLine(r.Line($"stat=pooled runs={runs}"));
        Result.PrintTable($"medians over {runs} runs (of each statistic)", medians);
        Result.PrintTable($"all {runs} runs' samples pooled", pooled);
    }

    /// <summary>A session with an Orleans client of its own (as each ZooKeeper handle has its own connection).</summary>
    private Task<ZkClient> ConnectAsync(int timeoutMs) =>
        ZkClient.ConnectAsync(options.Server, new ZkClientOptions { SessionTimeoutMs = timeoutMs });

    /// <summary>
    /// <paramref name="count"/> sequential iterations: the writer session sets <paramref name="node"/>'s
    /// data, the watcher session's watch fires; the sample is the time from just before the
    /// SetDataAsync call to the start of the watcher delegate. An iteration ends when both the event
    /// and the setData reply are in. One-shot: GetDataAsync(path, watcher) re-arms before each
    /// iteration (not timed); persistent: one AddWatchAsync(Persistent) for all iterations. The
    /// watcher session is opened for these iterations and closed after them.
    /// </summary>
    private async Task<double[]> LatencyAsync(ZkClient writer, string node, bool persistent, int count)
    {
        await using var watcherSession = await ConnectAsync(SessionTimeoutMs);
        var events = Channel.CreateUnbounded<(long At, long Zxid)>();
        var unexpected = 0;
        Action<WatchedEvent> watcher = e =>
        {
            var now = Stopwatch.GetTimestamp();
            if (e.Type == WatchEventType.NodeDataChanged && e.Path == node) events.Writer.TryWrite((now, e.Zxid));
            else if (e.Type != WatchEventType.PersistentWatchRemoved) Interlocked.Increment(ref unexpected);
        };
        if (persistent) await watcherSession.AddWatchAsync(node, watcher, AddWatchMode.Persistent);
        var samples = new double[count];
        var replies = new double[count];
        for (var i = 0; i < count; i++)
        {
            if (!persistent) await watcherSession.GetDataAsync(node, watcher);
            var start = Stopwatch.GetTimestamp();
            var set = writer.SetDataAsync(node, _data);
            var replied = set.ContinueWith(static _ => Stopwatch.GetTimestamp(), CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            (long At, long Zxid) ev;
            try
            {
                ev = await events.Reader.ReadAsync().AsTask().WaitAsync(EventTimeout);
            }
            catch (TimeoutException)
            {
                throw new InvalidOperationException($"no watch event within {EventTimeout.TotalSeconds:0} s at iteration {i} (kind {(persistent ? "persistent" : "oneshot")}; setData {(set.IsCompleted ? "completed: " + set.Status : "still outstanding")})");
            }
            samples[i] = Ms(ev.At - start);
            var zxid = (await set.WaitAsync(EventTimeout)).Mzxid;
            if (ev.Zxid != zxid)
                throw new InvalidOperationException($"iteration {i}: the event carries zxid 0x{ev.Zxid:x}, the setData made 0x{zxid:x}");
            replies[i] = Ms(await replied - start);
        }
        var reply = Stats.Of(replies);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"INFO latency kind={(persistent ? "persistent" : "oneshot")} n={count} setdata_reply_p50_ms={reply.P50:F3} setdata_reply_p99_ms={reply.P99:F3}"));
        if (Volatile.Read(ref unexpected) > 0 || events.Reader.Count > 0)
            throw new InvalidOperationException($"{unexpected} unexpected events, {events.Reader.Count} extra NodeDataChanged");
        return samples;
    }

    /// <summary>
    /// <paramref name="count"/> watching sessions on <paramref name="node"/>, all <see cref="ZkClient"/>s
    /// over one Orleans client; per repetition one setData, the sample being the time from just
    /// before the call until the last session's watcher has run. Repetition 0 is a warm-up and not
    /// counted. One-shot watches first (GetDataAsync re-arms them before every repetition, not
    /// timed), then persistent ones (one AddWatchAsync per session).
    /// </summary>
    private async Task<List<Result>> FanoutAsync(ZkClient writer, string node, int count)
    {
        var results = new List<Result>();
        await using var watchers = await FanoutSessions.OpenAsync(options.Server, count, SessionTimeoutMs);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"INFO fanout sessions={count} opened_in_ms={watchers.OpenedInMs:F0} watchers=zkclient"));
        foreach (var persistent in new[] { false, true })
        {
            var kind = persistent ? "persistent" : "oneshot";
            var samples = new double[options.Reps];
            for (var rep = 0; rep <= options.Reps; rep++)
            {
                var armStart = Stopwatch.GetTimestamp();
                if (!persistent || rep == 0) await watchers.ArmAsync(node, persistent);
                var armMs = Ms(Stopwatch.GetTimestamp() - armStart);
                var round = watchers.Reset();
                var t0 = Stopwatch.GetTimestamp();
                var set = writer.SetDataAsync(node, _data);
                var times = await round.WaitAsync(set, FanoutTimeout);
                Array.Sort(times);
                var last = Ms(times[^1] - t0);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"INFO fanout kind={kind} sessions={count} rep={rep}{(rep == 0 ? "(warm-up)" : "")} armed_in_ms={armMs:F1} first_ms={Ms(times[0] - t0):F3} median_ms={Ms(times[(int)Math.Ceiling(0.5 * times.Length) - 1] - t0):F3} last_ms={last:F3}"));
                if (rep > 0) samples[rep - 1] = last;
            }
            results.Add(new Result("fanout", kind, count, samples));
        }
        return results;
    }

    private static Result Report(Result result, string stat)
    {
        Console.WriteLine(result.Line(stat));
        return result;
    }
}
