using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;

namespace OrleansZk.Bench;

/// <summary>
/// The job every benchmark here runs with: short enough for a 2-core machine (one process, 3
/// warmup and 10 measured iterations), with allocations (<see cref="MemoryDiagnoser"/>) and
/// operations per second. Benchmarks that use [IterationSetup] run one invocation (a batch of
/// <see cref="Fixture.Batch"/> operations) per iteration; BenchmarkDotNet divides by
/// OperationsPerInvoke, so Mean is nanoseconds per operation and Allocated bytes per operation.
/// </summary>
public sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        AddJob(Job.Default
            .WithId("Short")
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(10));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median, StatisticColumn.OperationsPerSecond);
    }
}
