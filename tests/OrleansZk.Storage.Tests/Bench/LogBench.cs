using System.Diagnostics;
using OrleansZk.Zab;

namespace OrleansZk.Storage.Bench;

/// <summary>
/// Appends/s of the file log: one writer straight on <see cref="TxnLog"/> (append + sync per record),
/// one writer awaiting each append through <see cref="GroupCommitLog"/>, and 16 concurrent writers
/// through it; ForceSync on and off; 100-byte payloads; 3 runs each, median printed.
/// </summary>
internal static class LogBench
{
    private const int PayloadBytes = 100;

    public static async Task<int> RunAsync(string tempRoot)
    {
        Console.WriteLine($"payload {PayloadBytes} B, 64 MiB preallocated segments, temp root {tempRoot}");
        Console.WriteLine("case                                      | appends/s (median of 3) | fsyncs / 1,000 rec | batches / 1,000 rec");
        foreach (var force in new[] { true, false })
        {
            var n = force ? 3_000 : 200_000;
            await Case($"direct, 1 writer, ForceSync={force}", tempRoot, force, n, (log, _, count) => { Direct(log, count); return Task.CompletedTask; });
            await Case($"group commit, 1 writer, ForceSync={force}", tempRoot, force, n, (_, front, count) => Writers(front, 1, count));
            await Case($"group commit, 16 writers, ForceSync={force}", tempRoot, force, force ? 30_000 : 200_000, (_, front, count) => Writers(front, 16, count));
        }
        return 0;
    }

    private static async Task Case(string name, string tempRoot, bool force, int count, Func<TxnLog, GroupCommitLog, int, Task> body)
    {
        var rates = new List<double>();
        var syncsPerK = new List<double>();
        var batchesPerK = new List<double>();
        for (var run = 0; run < 3; run++)
        {
            var dir = Path.Combine(tempRoot, "ozk-bench-" + Guid.NewGuid().ToString("N"));
            try
            {
                using var log = TxnLog.Open(dir, new StorageOptions { DataDir = dir, ForceSync = force });
                var front = new GroupCommitLog(log);
                var sw = Stopwatch.StartNew();
                await body(log, front, count);
                sw.Stop();
                await front.DisposeAsync();
                rates.Add(count / sw.Elapsed.TotalSeconds);
                syncsPerK.Add(log.SyncCount * 1000.0 / count);
                batchesPerK.Add(front.BatchCount * 1000.0 / count);
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        rates.Sort();
        syncsPerK.Sort();
        batchesPerK.Sort();
        var batches = name.StartsWith("direct") ? "-" : batchesPerK[1].ToString("N1");
        Console.WriteLine($"{name,-42}| {rates[1],23:N0} | {syncsPerK[1],18:N1} | {batches,19}   (runs: {string.Join(", ", rates.Select(r => r.ToString("N0")))})");
    }

    private static void Direct(TxnLog log, int count)
    {
        var payload = new byte[PayloadBytes];
        for (long z = 1; z <= count; z++)
        {
            log.Append(new LogEntry(z, payload));
            log.Sync();
        }
    }

    private static Task Writers(GroupCommitLog front, int writers, int count)
    {
        var payload = new byte[PayloadBytes];
        var gate = new object();
        long next = 0;
        var perWriter = count / writers;
        return Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < perWriter; i++)
            {
                Task t;
                lock (gate) t = front.AppendAsync(new LogEntry(++next, payload));
                await t;
            }
        })));
    }
}
