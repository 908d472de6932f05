using System.Globalization;
using System.Runtime.InteropServices;
using OrleansZk.LoadBench;
using OrleansZk.WatchBench;

// OrleansZk's side of bench/zookeeper/WatchBench.java: the same workloads and RESULT lines, against
// a silo it starts (fresh data directory, ForceSync on, TickTimeMs = -tick-ms) or an existing one
// (-server host:port). "-expiry-child" runs one abandoned session of the expiry workload (internal).
string? server = null;
var runs = 3;
var workloads = new HashSet<string>(WatchBench.AllWorkloads);
var iterations = 2_000;
var warmup = 500;
int[] fanout = [1_000, 10_000];
var reps = 5;
var expirySessions = 10;
var timeoutMs = 4_000;
var tickMs = 2_000;
var seed = 42L;
string? siloDll = null;
string? childPath = null;
var child = false;
var keep = false;
var siloArgs = new List<string>();

for (var a = 0; a < args.Length; a++)
{
    var name = args[a].StartsWith("--", StringComparison.Ordinal) ? args[a][1..] : args[a];
    if (name is "-keep" or "-expiry-child")
    {
        if (name == "-keep") keep = true;
        else child = true;
        continue;
    }
    if (a + 1 == args.Length) return Usage($"missing value for {args[a]}");
    var value = args[++a];
    try
    {
        switch (name)
        {
            case "-server": server = value; break;
            case "-runs": runs = Int(value); break;
            case "-workloads": workloads = [.. value.Split(',')]; break;
            case "-iterations": iterations = Int(value); break;
            case "-warmup": warmup = Int(value); break;
            case "-fanout": fanout = [.. value.Split(',').Select(Int)]; break;
            case "-reps": reps = Int(value); break;
            case "-expiry-sessions": expirySessions = Int(value); break;
            case "-timeout-ms": timeoutMs = Int(value); break;
            case "-tick-ms": tickMs = Int(value); break;
            case "-seed": seed = long.Parse(value, CultureInfo.InvariantCulture); break;
            case "-silo": siloDll = Path.GetFullPath(value); break;
            case "-silo-arg": siloArgs.Add(value); break;
            case "-path": childPath = value; break;
            default: return Usage($"unknown argument {args[a - 1]}");
        }
    }
    catch (FormatException)
    {
        return Usage($"{args[a - 1]} needs a number, not '{value}'");
    }
}
if (child)
{
    if (server == null || childPath == null) return Usage("-expiry-child needs -server, -timeout-ms and -path");
    return await ExpiryChild.RunAsync(server, timeoutMs, childPath);
}
if (!workloads.IsSubsetOf(WatchBench.AllWorkloads)) return Usage("-workloads takes a comma-separated subset of latency,fanout,expiry");
if (runs < 1 || iterations < 1 || warmup < 0 || reps < 1 || expirySessions < 1 || timeoutMs < 1 || tickMs < 1 || fanout.Any(c => c < 1))
    return Usage("counts must be positive");
if (server != null && (siloDll != null || siloArgs.Count > 0 || keep)) return Usage("-silo, -silo-arg and -keep are for a silo the benchmark starts, not with -server");

Console.WriteLine($".NET: {RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} cores, {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC (client)");
SiloProcess? silo = null;
if (server == null)
{
    siloDll ??= SiloProcess.DefaultDll();
    try
    {
        // The tick first, so that a -silo-arg can still override it.
        silo = await SiloProcess.StartAsync(siloDll, keep, [$"--OrleansZk:TickTimeMs={tickMs}", .. siloArgs]);
    }
    catch (Exception e) when (e is SiloStartException or InvalidOperationException or FileNotFoundException)
    {
        Console.Error.WriteLine($"WatchBench: {e.Message}");
        return 1;
    }
    server = $"127.0.0.1:{silo.GatewayPort}";
    Console.WriteLine($"data dir: {silo.Root}/data");
    Console.WriteLine($"server: {silo.ReadyLine.Trim()} (own process, ForceSync=true, TickTimeMs={tickMs}{(siloArgs.Count > 0 ? ", " + string.Join(' ', siloArgs) : "")})");
}

// Ctrl+C or SIGTERM (compare-watches.sh's clean-up) must not leave the silo behind.
using var sigInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => silo?.Stop());
using var sigTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => silo?.Stop());
return await SiloProcess.RunAsync("WatchBench", silo, keep, async () =>
{
    var options = new WatchBenchOptions(server, workloads, iterations, warmup, fanout, reps, expirySessions, timeoutMs, tickMs, seed);
    await new WatchBench(options).RunAsync(runs);
});

static int Int(string value) => int.Parse(value, CultureInfo.InvariantCulture);

static int Usage(string problem)
{
    Console.Error.WriteLine($"WatchBench: {problem}");
    Console.Error.WriteLine("usage: OrleansZk.WatchBench [-server host:port | [-silo PATH.dll] [-silo-arg --OrleansZk:Key=value]... [-keep]]");
    Console.Error.WriteLine("                            [-runs N] [-workloads latency,fanout,expiry] [-iterations N] [-warmup N] [-fanout N,N] [-reps N]");
    Console.Error.WriteLine("                            [-expiry-sessions N] [-timeout-ms T] [-tick-ms T] [-seed S]   (--name works too)");
    return 2;
}
