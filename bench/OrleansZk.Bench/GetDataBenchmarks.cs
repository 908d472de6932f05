using BenchmarkDotNet.Attributes;
using OrleansZk.Core;

namespace OrleansZk.Bench;

/// <summary>
/// DataTree.GetData with <see cref="AuthInfo.Anonymous"/> on <see cref="Fixture.Batch"/> existing
/// znodes (32-byte data, world ACL) of one parent, in a fixed random order, with paths that are
/// fresh string instances (as deserialized requests are).
/// </summary>
[Config(typeof(BenchConfig))]
[MemoryDiagnoser]
public class GetData
{
    private DataTree _tree = null!;
    private string[] _paths = [];

    [GlobalSetup]
    public void GlobalSetup()
    {
        (_tree, _, var paths) = Fixture.TreeWithChildren(Fixture.Batch);
        _paths = Fixture.ShuffledCopies(paths);
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
