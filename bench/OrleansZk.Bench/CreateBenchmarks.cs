using BenchmarkDotNet.Attributes;
using OrleansZk.Core;

namespace OrleansZk.Bench;

/// <summary>
/// RequestPreparer.Prepare of persistent creates (32-byte data, world ACL) under one parent, all
/// paths unique. Each iteration starts from a fresh tree (only "/p") and a fresh preparer and
/// prepares <see cref="Fixture.Batch"/> creates; none is applied, so the preparer's pending-change
/// map grows to Batch entries during the iteration (its growth is part of the cost).
/// </summary>
[Config(typeof(BenchConfig))]
[MemoryDiagnoser]
public class PrepareCreate
{
    private CreateRequest[] _requests = [];
    private RequestPreparer _preparer = null!;
    private RequestContext _context = null!;

    [GlobalSetup]
    public void GlobalSetup()
    {
        _requests = Fixture.CreateRequests(Fixture.Parent, Fixture.Batch);
        IterationSetup();
        foreach (var r in _requests) Fixture.Expect<CreateTxn>(_preparer.Prepare(r, _context));
    }

    [IterationSetup]
    public void IterationSetup()
    {
        (_, _preparer, _context) = Fixture.NewTree(Fixture.Parent);
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
/// DataTree.Apply of prepared CreateTxns, apply alone. Each iteration's setup makes a fresh tree
/// (only "/p") and prepares <see cref="Fixture.Batch"/> creates against it (not measured); the
/// measured invocation applies all of them, so every measured op creates a new znode and the tree
/// grows from 0 to Batch children of one parent (dictionary and children-set growth included).
/// </summary>
[Config(typeof(BenchConfig))]
[MemoryDiagnoser]
public class ApplyCreate
{
    private CreateRequest[] _requests = [];
    private DataTree _tree = null!;
    private Txn[] _txns = [];

    [GlobalSetup]
    public void GlobalSetup()
    {
        _requests = Fixture.CreateRequests(Fixture.Parent, Fixture.Batch);
        IterationSetup();
        foreach (var t in _txns) Fixture.Expect(_tree.Apply(t));
    }

    [IterationSetup]
    public void IterationSetup()
    {
        _txns = [];
        (_tree, var preparer, var context) = Fixture.NewTree(Fixture.Parent);
        _txns = Array.ConvertAll(_requests, r => preparer.Prepare(r, context));
        foreach (var t in _txns) Fixture.Expect<CreateTxn>(t);
        GC.Collect();
    }

    [Benchmark(OperationsPerInvoke = Fixture.Batch)]
    public ApplyResult Apply()
    {
        ApplyResult last = null!;
        foreach (var t in _txns) last = _tree.Apply(t);
        return last;
    }
}

/// <summary>
/// Prepare then apply of each create, as the pipeline does on one replica (the pending-change map
/// stays small because each txn is applied before the next is prepared). Fresh tree per iteration.
/// </summary>
[Config(typeof(BenchConfig))]
[MemoryDiagnoser]
public class PrepareAndApplyCreate
{
    private CreateRequest[] _requests = [];
    private DataTree _tree = null!;
    private RequestPreparer _preparer = null!;
    private RequestContext _context = null!;

    [GlobalSetup]
    public void GlobalSetup()
    {
        _requests = Fixture.CreateRequests(Fixture.Parent, Fixture.Batch);
        IterationSetup();
        foreach (var r in _requests) Fixture.Expect(_tree.Apply(_preparer.Prepare(r, _context)));
    }

    [IterationSetup]
    public void IterationSetup()
    {
        (_tree, _preparer, _context) = Fixture.NewTree(Fixture.Parent);
        GC.Collect();
    }

    [Benchmark(OperationsPerInvoke = Fixture.Batch)]
    public ApplyResult PrepareAndApply()
    {
        ApplyResult last = null!;
        foreach (var r in _requests) last = _tree.Apply(_preparer.Prepare(r, _context));
        return last;
    }
}
