using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;

namespace OrleansZk.Bench;

/// <summary>
/// The job every benchmark here runs with, short enough for a 2-core machine (about 10 s per
/// benchmark): one process, 5 warmup and 10 measured iterations, each iteration exactly one
/// invocation of the benchmark method, which performs a batch of <see cref="Fixture.Batch"/>
/// operations (OperationsPerInvoke), so Mean/Median are nanoseconds per operation and Allocated is
/// bytes per operation (<see cref="MemoryDiagnoser"/>); Op/s is operations per second.
/// </summary>
public sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        AddJob(Job.Default
            .WithId("Short")
            .WithLaunchCount(1)
            .WithWarmupCount(5)
            .WithIterationCount(10)
            .WithInvocationCount(1)
            .WithUnrollFactor(1));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median, StatisticColumn.OperationsPerSecond);
    }
}
