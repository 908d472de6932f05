using BenchmarkDotNet.Attributes;
using OrleansZk.Core;

namespace OrleansZk.Bench;

/// <summary>
/// RequestPreparer.Prepare of setData (32 bytes, version -1) on <see cref="Fixture.Batch"/>
/// existing znodes of one parent, in a fixed random order, with paths that are fresh string
/// instances (as deserialized requests are). Each iteration uses a fresh preparer on the same
/// tree (nothing is applied), so the pending-change map grows to Batch entries during it.
/// </summary>
[Config(typeof(BenchConfig))]
[MemoryDiagnoser]
public class PrepareSetData
{

    private DataTree _tree = null!;
    private RequestContext _context = null!;
    private SetDataRequest[] _requests = [];
    private RequestPreparer _preparer = null!;

    [GlobalSetup]
    public void GlobalSetup()
    {
        (_tree, _context, var paths) = Fixture.TreeWithChildren(Fixture.Batch);
        var i = 0;
        _requests = Array.ConvertAll(Fixture.Copies(paths, Order.Random), p => new SetDataRequest(p, Fixture.Data32(i++ + 7)));
        IterationSetup();
        foreach (var r in _requests) Fixture.Expect<SetDataTxn>(_preparer.Prepare(r, _context));
    }

    [IterationSetup]
    public void IterationSetup()
    {
        _preparer = new RequestPreparer(_tree);
        GC.Collect();
    }

    [Benchmark(OperationsPerInvoke = Fixture.Batch)]
    public Txn Prepare()
    {
        Txn last = null!;
        foreach (var r in _requests) last = _preparer.Prepare(r, _context);
        return last;
    }
}

/// <summary>
/// DataTree.Apply of prepared SetDataTxns (32 bytes) on <see cref="Fixture.Batch"/> existing
/// znodes, in a fixed random order or in creation order. The txns are prepared once; a setData
/// txn carries absolute values (new version, data), so applying the same batch again does exactly
/// the same work.
/// </summary>
[Config(typeof(BenchConfig))]
[MemoryDiagnoser]
public class ApplySetData
{
    [Params(Order.Random, Order.Creation)]
    public Order Order { get; set; }

    private DataTree _tree = null!;
    private Txn[] _txns = [];

    [GlobalSetup]
    public void GlobalSetup()
    {
        (_tree, var context, var paths) = Fixture.TreeWithChildren(Fixture.Batch);
        var preparer = new RequestPreparer(_tree);
        var i = 0;
        _txns = Array.ConvertAll(Fixture.Copies(paths, Order), p => preparer.Prepare(new SetDataRequest(p, Fixture.Data32(i++ + 7)), context));
        foreach (var t in _txns) Fixture.Expect<SetDataTxn>(t);
        foreach (var t in _txns) Fixture.Expect(_tree.Apply(t));
    }

    [Benchmark(OperationsPerInvoke = Fixture.Batch)]
    public ApplyResult Apply()
    {
        ApplyResult last = null!;
        foreach (var t in _txns) last = _tree.Apply(t);
        return last;
    }
}
