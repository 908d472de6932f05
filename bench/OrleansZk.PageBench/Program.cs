using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using OrleansZk.Client;
using OrleansZk.Core;
using OrleansZk.LoadBench;

// getChildren by pages through the service: for each parent size, a parent with that many children
// (created in pipelined multis of 1,000), then -reads page reads one at a time after names chosen at
// random (the latency of a page: median, p99), a whole walk, and the full getChildren for comparison,
// after a warm-up of 500 page reads.
// Against a silo it starts (fresh data directory, ForceSync on) or an existing one (-server host:port).
string? server = null;
int[] sizes = [1_000, 1_000_000];
int[] pageSizes = [100, 1_000];
var reads = 300;
var fullReads = 5;
for (var a = 0; a + 1 < args.Length; a += 2)
{
    var value = args[a + 1];
    switch (args[a].TrimStart('-'))
    {
        case "server": server = value; break;
        case "children": sizes = [.. value.Split(',').Select(Int)]; break;
        case "pages": pageSizes = [.. value.Split(',').Select(Int)]; break;
        case "reads": reads = Int(value); break;
        default:
            Console.Error.WriteLine("usage: OrleansZk.PageBench [-server host:port] [-children 1000,1000000] [-pages 100,1000] [-reads 300]");
            return 2;
    }
}

Console.WriteLine($".NET: {RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} cores; load average {File.ReadAllText("/proc/loadavg").Trim()}");
SiloProcess? silo = null;
if (server == null)
{
    silo = await SiloProcess.StartAsync(SiloProcess.DefaultDll(), keep: false, []);
    server = $"127.0.0.1:{silo.GatewayPort}";
    Console.WriteLine($"server: {silo.ReadyLine.Trim()} (own process, ForceSync=true)");
}
using var sigInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => silo?.Stop());
using var sigTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => silo?.Stop());
return await SiloProcess.RunAsync("PageBench", silo, keep: false, async () =>
{
    await using var zk = await ZkClient.ConnectAsync(server, new ZkClientOptions { SessionTimeoutMs = 30_000, RequestTimeout = TimeSpan.FromMinutes(2) });
    // Warm-up (JIT, connections, the partitions' activations), so the first size measured is not the cold one.
    var warm = $"/pages-warm-{Guid.NewGuid():N}"[..24];
    await CreateChildrenAsync(zk, warm, 1_000);
    for (var i = 0; i < 500; i++) await zk.GetChildrenPageAsync(warm, 1 + i % 1_000, Name(i));
    Console.WriteLine("| children | page size | page median | page p99 | pages/s (one at a time) | whole walk | full getChildren (median of 5) |");
    Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
    foreach (var n in sizes)
    {
        var parent = $"/pages-{n}-{Guid.NewGuid():N}"[..24];
        var created = Stopwatch.StartNew();
        await CreateChildrenAsync(zk, parent, n);
        Console.Error.WriteLine($"{n:N0} children created in {created.Elapsed.TotalSeconds:0.0} s");
        var full = new List<double>();
        for (var i = 0; i < fullReads; i++)
        {
            var t = Stopwatch.StartNew();
            var all = await zk.GetChildrenAsync(parent);
            full.Add(t.Elapsed.TotalMilliseconds);
            if (all.Count != n) throw new InvalidOperationException($"{all.Count} children, not {n}");
        }
        var random = new Random(42);
        foreach (var size in pageSizes)
        {
            var latencies = new List<double>(reads);
            for (var i = 0; i < reads; i++)
            {
                var after = Name(random.Next(n));
                var t = Stopwatch.StartNew();
                var page = await zk.GetChildrenPageAsync(parent, size, after);
                latencies.Add(t.Elapsed.TotalMilliseconds);
                if (page.Children.Count == 0 && after != Name(n - 1)) throw new InvalidOperationException("empty page");
            }
            var walk = Stopwatch.StartNew();
            var walked = 0;
            await foreach (var _ in zk.EnumerateChildrenAsync(parent, size)) walked++;
            if (walked != n) throw new InvalidOperationException($"walked {walked}, not {n}");
            latencies.Sort();
            var median = latencies[latencies.Count / 2];
            Console.WriteLine($"| {n:N0} | {size:N0} | {median:0.00} ms | {latencies[(int)(latencies.Count * 0.99)]:0.00} ms | {1000 / latencies.Average():N0} | {walk.Elapsed.TotalMilliseconds:N0} ms | {Median(full):N0} ms |");
        }
    }
});

static async Task CreateChildrenAsync(ZkClient zk, string parent, int n)
{
    await zk.CreateAsync(parent, null);
    const int perMulti = 1_000;
    var writes = new List<Task>();
    for (var start = 0; start < n; start += perMulti)
    {
        writes.Add(zk.MultiAsync(Enumerable.Range(start, Math.Min(perMulti, n - start))
            .Select(i => (WriteRequest)new CreateRequest($"{parent}/{Name(i)}", null, AclList.OpenUnsafe, CreateMode.Persistent))));
        if (writes.Count < 8) continue;
        await Task.WhenAll(writes);
        writes.Clear();
    }
    await Task.WhenAll(writes);
}

static string Name(int i) => $"member-{i:D7}";

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

static int Int(string value) => int.Parse(value, CultureInfo.InvariantCulture);
