using System.Globalization;
using System.Runtime.InteropServices;
using OrleansZk.LoadBench;
using OrleansZk.RecipesBench;

// OrleansZk's side of bench/curator/RecipesBench.java: the same recipe workloads and RESULT lines,
// against a silo it starts (fresh data directory, ForceSync on) or an existing one (-server host:port).
string? server = null;
var runs = 3;
var lockOps = 1000;
int[] contended = [4, 8];
var handovers = 30;
var changes = 100;
string? siloDll = null;
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
            case "-lock-ops": lockOps = int.Parse(value, CultureInfo.InvariantCulture); break;
            case "-contended": contended = [.. value.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture))]; break;
            case "-handovers": handovers = int.Parse(value, CultureInfo.InvariantCulture); break;
            case "-changes": changes = int.Parse(value, CultureInfo.InvariantCulture); break;
            case "-silo": siloDll = Path.GetFullPath(value); break;
            case "-silo-arg": siloArgs.Add(value); break;
            default: return Usage($"unknown argument {args[a - 1]}");
        }
    }
    catch (FormatException)
    {
        return Usage($"{args[a - 1]} needs a number, not '{value}'");
    }
}
if (runs < 1 || handovers < 1 || changes < 1 || contended.Any(c => c < 2 || lockOps < c)) return Usage("need -runs, -handovers, -changes >= 1 and -lock-ops >= every -contended count >= 2");
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
        Console.Error.WriteLine($"RecipesBench: {e.Message}");
        return 1;
    }
    server = $"127.0.0.1:{silo.GatewayPort}";
    Console.WriteLine($"data dir: {silo.Root}/data");
    Console.WriteLine($"server: {silo.ReadyLine.Trim()} (own process, ForceSync=true{(siloArgs.Count > 0 ? ", " + string.Join(' ', siloArgs) : "")})");
}

// Ctrl+C or SIGTERM (compare-recipes.sh's clean-up) must not leave the silo behind.
using var sigInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => silo?.Stop());
using var sigTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => silo?.Stop());
return await SiloProcess.RunAsync("RecipesBench", silo, keep, () => new RecipesBench(server, lockOps, contended, handovers, changes).RunAsync(runs));

static int Usage(string problem)
{
    Console.Error.WriteLine($"RecipesBench: {problem}");
    Console.Error.WriteLine("usage: OrleansZk.RecipesBench [-server host:port | [-silo PATH.dll] [-silo-arg --OrleansZk:Key=value]... [-keep]]");
    Console.Error.WriteLine("                              [-runs N] [-lock-ops N] [-contended 4,8] [-handovers N] [-changes N]   (--name works too)");
    return 2;
}
