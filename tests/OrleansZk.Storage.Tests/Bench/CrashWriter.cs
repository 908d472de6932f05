using OrleansZk.Zab;

namespace OrleansZk.Storage.Bench;

/// <summary>
/// The child process of the kill test: appends records forever through a <see cref="GroupCommitLog"/>
/// (ForceSync on, small segments so it rolls often) from 8 concurrent writers, continuing after the
/// log's last zxid, and prints each zxid once it is acknowledged (durable). The parent kills it.
/// </summary>
public static class CrashWriter
{
    /// <summary>The payload of record <paramref name="zxid"/> (1 to 1,500 bytes).</summary>
    public static byte[] Payload(long zxid)
    {
        var p = new byte[(int)(zxid * 7919 % 1500) + 1];
        for (var i = 0; i < p.Length; i++) p[i] = (byte)(zxid + i * 13);
        return p;
    }

    /// <summary>Runs until killed.</summary>
    public static async Task<int> RunAsync(string dir)
    {
        var options = new StorageOptions { DataDir = dir, ForceSync = true, SegmentBytes = 256 * 1024 };
        using var log = TxnLog.Open(dir, options);
        var front = new GroupCommitLog(log);
        var gate = new object();
        var next = log.LastZxid;
        var stdout = Console.Out;
        Console.WriteLine($"start {next}");
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                Task t;
                long zxid;
                lock (gate)
                {
                    zxid = ++next;
                    t = front.AppendAsync(new LogEntry(zxid, Payload(zxid)));
                }
                await t;
                lock (stdout) stdout.WriteLine(zxid);
            }
        })));
        return 0;
    }
}
