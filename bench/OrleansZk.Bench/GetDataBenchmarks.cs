using BenchmarkDotNet.Attributes;
using OrleansZk.Core;

namespace OrleansZk.Bench;

/// <summary>
/// DataTree.GetData with <see cref="AuthInfo.Anonymous"/> on <see cref="Fixture.Batch"/> existing
/// znodes (32-byte data, world ACL) of one parent, with paths that are fresh string instances (as
/// deserialized requests are), visited in a fixed random order or in creation order (the
/// difference is the cost of cache misses).
/// </summary>
[Config(typeof(BenchConfig))]
[MemoryDiagnoser]
public class GetData
{
    [Params(Order.Random, Order.Creation)]
    public Order Order { get; set; }

    private DataTree _tree = null!;
    private string[] _paths = [];

    [GlobalSetup]
    public void GlobalSetup()
    {
        (_tree, _, var paths) = Fixture.TreeWithChildren(Fixture.Batch);
        _paths = Fixture.Copies(paths, Order);
        foreach (var p in _paths)
            if (_tree.GetData(p, AuthInfo.Anonymous).Data?.Length != 32) throw new InvalidOperationException(p);
    }

    [Benchmark(OperationsPerInvoke = Fixture.Batch)]
    public DataResult Get()
    {
        DataResult last = null!;
        foreach (var p in _paths) last = _tree.GetData(p, AuthInfo.Anonymous);
        return last;
    }
}
