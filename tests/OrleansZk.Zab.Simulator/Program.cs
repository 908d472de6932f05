using OrleansZk.Zab.Simulator;

// dotnet run -c Release --project tests/OrleansZk.Zab.Simulator -- --seeds N [--replicas 3|5] [--seed S] [--trace] [--mutant NAME]
//   --seed S alone reproduces seed S (with --trace: the full event and message trace);
//   --seed S --seeds N runs seeds S..S+N-1. --ticks T sets the fault phase length.
//   --bench [--batch B] runs the engine throughput benchmark instead (B proposals per round).
int seeds = -1, replicas = 3, first = 1, ticks = 0, batch = 256;
bool traceOn = false, bench = false, seedGiven = false;
string? mutant = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--seeds": seeds = int.Parse(args[++i]); break;
        case "--replicas": replicas = int.Parse(args[++i]); break;
        case "--seed": first = int.Parse(args[++i]); seedGiven = true; break;
        case "--trace": traceOn = true; break;
        case "--mutant": mutant = args[++i]; break;
        case "--ticks": ticks = int.Parse(args[++i]); break;
        case "--bench": bench = true; break;
        case "--batch": batch = int.Parse(args[++i]); break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}
if (bench) return ThroughputBench.Run(Console.Out, seconds: 5, batch);
if (seeds < 0) seeds = seedGiven ? 1 : 100;
var options = new SimOptions { Replicas = replicas, Mutant = mutant };
if (ticks > 0) options = options with { FaultTicks = ticks };

if (traceOn)
{
    for (int s = first; s < first + seeds; s++)
    {
        var result = new Simulation(s, options, Console.Out).Run();
        foreach (var v in result.Violations) Console.WriteLine($"VIOLATION {v}");
    }
}
var summary = SimRunner.Run(first, seeds, options);
foreach (var f in summary.Failures.Take(20))
{
    Console.WriteLine($"seed {f.Seed}: {f.Violations[0]}");
    Console.WriteLine($"  reproduce: {SimRunner.ReproCommand(f.Seed, options)}");
}
Console.WriteLine(SimRunner.Describe(summary, options));
bool weak = seeds >= 20 && summary.BarelyDisturbed;
if (weak) Console.WriteLine("FAILED: barely-disturbed run (needs >= 1 leader change and >= 100 commits per seed on average)");
Console.WriteLine($"{summary.Seeds} seeds, {summary.Violations} violations");
return summary.Violations > 0 || weak ? 1 : 0;
