using System.Diagnostics;
using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.WatchBench;

/// <summary>
/// The session whose expiry the expiry workload times, in a process of its own (this executable
/// with <c>-expiry-child</c>) so that the benchmark can stop it (SIGSTOP) and with it every
/// heartbeat. Protocol on stdin / stdout, one line each: it connects and prints
/// <c>connected &lt;session id hex&gt; &lt;granted timeout ms&gt;</c>; on a line <c>go</c> it creates
/// the ephemeral node, then calls SyncAsync (a partition read would not touch the session at the
/// replica; the create and the sync do), and prints <c>ready &lt;Stopwatch timestamp after that
/// reply&gt;</c> (on Linux CLOCK_MONOTONIC in ns, the same clock in every process); then it waits
/// for stdin to close. The benchmark stops and kills it.
/// </summary>
internal static class ExpiryChild
{
    /// <summary>Starts this executable as a child for <paramref name="path"/>, its stdin and stdout redirected, stderr inherited.</summary>
    public static Process Start(string server, int timeoutMs, string path)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        // Run as "dotnet WatchBench.dll" (the host) or as the apphost itself.
        var self = typeof(ExpiryChild).Assembly.Location;
        if (Path.GetFileNameWithoutExtension(start.FileName) == "dotnet") start.ArgumentList.Add(self);
        foreach (var arg in (string[])["-expiry-child", "-server", server, "-timeout-ms", timeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture), "-path", path])
            start.ArgumentList.Add(arg);
        return Process.Start(start) ?? throw new InvalidOperationException("the child did not start");
    }

    public static async Task<int> RunAsync(string server, int timeoutMs, string path)
    {
        if (Stopwatch.Frequency != 1_000_000_000)
            throw new PlatformNotSupportedException($"Stopwatch.Frequency is {Stopwatch.Frequency}, not 1 GHz: its timestamps may not be comparable across processes");
        await using var zk = await ZkClient.ConnectAsync(server, new ZkClientOptions { SessionTimeoutMs = timeoutMs });
        Console.WriteLine($"connected {zk.SessionId:x} {zk.SessionTimeoutMs}");
        if (await Console.In.ReadLineAsync() != "go") return 0;
        await zk.CreateAsync(path, [], mode: CreateMode.Ephemeral);
        await zk.SyncAsync(path);
        var touched = Stopwatch.GetTimestamp();
        Console.WriteLine($"ready {touched}");
        while (await Console.In.ReadLineAsync() != null)
        {
            // Wait to be stopped, then killed.
        }
        return 0;
    }
}
