using System.Diagnostics;
using Xunit.Abstractions;
using OrleansZk.Storage.Bench;

namespace OrleansZk.Storage.Tests;

/// <summary>A real crash: a child process appending through group commit is SIGKILLed mid-write.</summary>
public sealed class CrashTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _tmp = new();
    public void Dispose() => _tmp.Dispose();

    [Fact]
    public async Task A_writer_killed_mid_write_loses_no_acknowledged_record_three_times_over()
    {
        var dir = _tmp.Sub("log");
        var childDll = Path.Combine(AppContext.BaseDirectory, "OrleansZk.Storage.Bench.dll");
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        long recovered = 0;
        for (var round = 0; round < 3; round++)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            using var child = Process.Start(new ProcessStartInfo(host, [childDll, "crash-writer", dir])
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            })!;
            long maxAcked = 0;
            try
            {
                Assert.Equal($"start {recovered}", await child.StandardOutput.ReadLineAsync(cts.Token));
                for (var acks = 0; acks < 5_000; acks++)
                {
                    var line = await child.StandardOutput.ReadLineAsync(cts.Token)
                        ?? throw new Xunit.Sdk.XunitException($"child exited early with code {child.ExitCode}");
                    maxAcked = Math.Max(maxAcked, long.Parse(line));
                }
            }
            finally
            {
                child.Kill(entireProcessTree: true);
                await child.WaitForExitAsync(CancellationToken.None);
            }

            using var log = TxnLog.Open(dir, new StorageOptions { DataDir = dir, ForceSync = true, SegmentBytes = 256 * 1024 });
            var zxid = 0L;
            foreach (var t in log.ReadAfter(0))
            {
                Assert.Equal(++zxid, t.Zxid); // a contiguous prefix: nothing reordered, nothing half there
                Assert.Equal(CrashWriter.Payload(zxid), t.Payload);
            }
            Assert.True(zxid >= maxAcked, $"round {round}: acknowledged up to {maxAcked}, recovered only {zxid}");
            Assert.True(zxid > recovered);
            output.WriteLine($"round {round}: acknowledged up to {maxAcked}, recovered {zxid} in {log.SegmentCount} segments, torn tail cut: {log.Recovery.TruncatedFile != null}");
            recovered = zxid;
        }
    }
}
