using System.Globalization;
using System.Runtime.InteropServices;
using OrleansZk.LoadBench;

// OrleansZk's side of bench/zookeeper/ZkBench.java: the same workloads and RESULT lines, against a
// silo it starts (fresh data directory, ForceSync on) or an existing one (-server host:port).
string? server = null;
var runs = 3;
var n = 10_000;
var mixOps = 20_000;
var seed = 42L;
string? siloDll = null;
string? latencyDir = null;
var keep = false;
var siloArgs = new List<string>();

for (var a = 0; a < args.Length; a++)
{
    var name = args[a].StartsWith("--", StringComparison.Ordinal) ? args[a][1..] : args[a];
    if (name == "-keep")
    {
        keep = true;
        continue;
    }
    if (a + 1 == args.Length) return Usage($"missing value for {args[a]}");
    var value = args[++a];
    try
    {
        switch (name)
        {
            case "-server": server = value; break;
            case "-runs": runs = int.Parse(value, CultureInfo.InvariantCulture); break;
            case "-n": n = int.Parse(value, CultureInfo.InvariantCulture); break;
            case "-mix-ops": mixOps = int.Parse(value, CultureInfo.InvariantCulture); break;
            case "-seed": seed = long.Parse(value, CultureInfo.InvariantCulture); break;
            case "-silo": siloDll = Path.GetFullPath(value); break;
            case "-silo-arg": siloArgs.Add(value); break;
            case "-latency-dir": latencyDir = Path.GetFullPath(value); break;
            default: return Usage($"unknown argument {args[a - 1]}");
        }
    }
    catch (FormatException)
    {
        return Usage($"{args[a - 1]} needs a number, not '{value}'");
    }
}
var maxClients = LoadBench.MixClients[^1];
if (runs < 1 || n < 1 || mixOps < maxClients) return Usage($"need -runs >= 1, -n >= 1, -mix-ops >= {maxClients}");
if (server != null && (siloDll != null || siloArgs.Count > 0 || keep)) return Usage("-silo, -silo-arg and -keep are for a silo the benchmark starts, not with -server");

Console.WriteLine($".NET: {RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} cores, {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC (client)");
SiloProcess? silo = null;
if (server == null)
{
    siloDll ??= SiloProcess.DefaultDll();
    try
    {
        silo = await SiloProcess.StartAsync(siloDll, keep, siloArgs);
    }
    catch (Exception e) when (e is SiloStartException or InvalidOperationException or FileNotFoundException)
    {
        Console.Error.WriteLine($"LoadBench: {e.Message}");
        return 1;
    }
    server = $"127.0.0.1:{silo.GatewayPort}";
    Console.WriteLine($"data dir: {silo.Root}/data");
    Console.WriteLine($"server: {silo.ReadyLine.Trim()} (own process, ForceSync=true{(siloArgs.Count > 0 ? ", " + string.Join(' ', siloArgs) : "")})");
}

// Ctrl+C or SIGTERM (compare.sh's clean-up) must not leave the silo behind.
using var sigInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => silo?.Stop());
using var sigTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => silo?.Stop());
return await SiloProcess.RunAsync("LoadBench", silo, keep, () => new LoadBench(server, n, mixOps, seed, latencyDir, silo == null ? null : silo.CpuTime).RunAsync(runs));

static int Usage(string problem)
{
    Console.Error.WriteLine($"LoadBench: {problem}");
    Console.Error.WriteLine("usage: OrleansZk.LoadBench [-server host:port | [-silo PATH.dll] [-silo-arg --OrleansZk:Key=value]... [-keep]]");
    Console.Error.WriteLine("                           [-runs N] [-n N] [-mix-ops N] [-seed S] [-latency-dir DIR]   (--name works too)");
    return 2;
}
