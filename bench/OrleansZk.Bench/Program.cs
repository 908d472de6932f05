using BenchmarkDotNet.Running;
using OrleansZk.Bench;

// `--memory [N] [parents]`: the memory and apply-throughput measurement (not BenchmarkDotNet).
// Anything else goes to BenchmarkDotNet (e.g. `--filter '*'`, `--list flat`).
if (args.Length > 0 && args[0] == "--memory") return MemoryMode.Run(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
