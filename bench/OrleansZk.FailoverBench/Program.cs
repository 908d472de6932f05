using System.Globalization;
using System.Text;
using OrleansZk.Client;
using OrleansZk.Core;

// The writer of bench/failover.sh on OrleansZk, the twin of bench/ensemble/FailoverWriter.java:
// fills /prefill with N small znodes (unless they are there), then sets /failover one write at a
// time for ever, printing "ok ISSUED ACKED" (Unix milliseconds) for each acknowledged write and
// "err ISSUED NOW WHAT" for each failed one. The script kills the leader at t0 and reads the first
// "ok" issued at or after t0. A failed write is retried after 5 ms (both writers), a lost session
// is replaced by a new one.
string? server = null;
var prefill = 100_000;
var sessionMs = 10_000;
for (var a = 0; a + 1 < args.Length; a += 2)
{
    switch (args[a])
    {
        case "-server": server = args[a + 1]; break;
        case "-prefill": prefill = int.Parse(args[a + 1], CultureInfo.InvariantCulture); break;
        case "-session-ms": sessionMs = int.Parse(args[a + 1], CultureInfo.InvariantCulture); break;
        default: Console.Error.WriteLine($"unknown argument {args[a]}"); return 2;
    }
}
if (server is null || args.Length % 2 != 0)
{
    Console.Error.WriteLine("usage: OrleansZk.FailoverBench -server host:port[,host:port...] [-prefill N] [-session-ms MS]");
    return 2;
}

static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
var options = new ZkClientOptions { SessionTimeoutMs = sessionMs };
var zk = await ZkClient.ConnectAsync(server, options);

await Prefill(zk, prefill);
try { await zk.CreateAsync("/failover", []); }
catch (NodeExistsException) { }
Console.Out.WriteLine("ready");
Console.Out.Flush();

var data = Encoding.ASCII.GetBytes("x");
while (true)
{
    var issued = Now();
    try
    {
        await zk.SetDataAsync("/failover", data);
        Console.Out.WriteLine($"ok {issued} {Now()}");
    }
    catch (Exception e)
    {
        Console.Out.WriteLine($"err {issued} {Now()} {(e is ZkException z ? z.Code.ToString() : e.GetType().Name)}");
        if (e is SessionExpiredException or ObjectDisposedException)
        {
            await zk.DisposeAsync();
            zk = await ZkClient.ConnectAsync(server, options);
        }
        await Task.Delay(5);
    }
    Console.Out.Flush();
}

static async Task Prefill(ZkClient zk, int count)
{
    if (count == 0) return;
    try { await zk.CreateAsync("/prefill", []); }
    catch (NodeExistsException) { }
    var have = (await zk.ExistsAsync("/prefill"))!.Value.NumChildren;
    if (have >= count) return;
    var payload = new byte[100];
    const int Window = 1000;
    for (var first = 0; first < count; first += Window)
    {
        var batch = Enumerable.Range(first, Math.Min(Window, count - first)).Select(async i =>
        {
            try { await zk.CreateAsync($"/prefill/n{i:D7}", payload); }
            catch (NodeExistsException) { }
        });
        await Task.WhenAll(batch);
    }
}
