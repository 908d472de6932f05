using BenchmarkDotNet.Attributes;
using OrleansZk.Core;

namespace OrleansZk.Bench;

/// <summary>
/// getChildren by pages on a partition's view of one parent with <see cref="Children"/> children
/// (names <c>member-0000000</c> …): <see cref="Page"/> serves a page of <see cref="PageSize"/> names
/// after a name chosen at random (<see cref="Pages"/> of them per invocation, so ns/op is per page);
/// <see cref="AddAndRemove"/> applies effects that add a child at a random place and remove it again
/// (the cost of keeping the names sorted, per change); <see cref="PageByFullSort"/> is what a page
/// would cost without sorted names — copy the whole list, sort it, and cut the page — one per invocation.
/// </summary>
[Config(typeof(BenchConfig))]
[MemoryDiagnoser]
public class ChildrenPages
{
    private const int Pages = 1_000;
    private const string Parent = "/p";

    [Params(1_000, 1_000_000)]
    public int Children { get; set; }

    [Params(100)]
    public int PageSize { get; set; }

    private PartitionView _view = null!;
    private string[] _afters = [];
    private TxnEffects[] _changes = [];
    private long _zxid;

    [GlobalSetup]
    public void GlobalSetup()
    {
        var names = Enumerable.Range(0, Children).Select(i => $"member-{i:D7}").ToArray();
        _view = new PartitionView();
        _view.Load([Image("/", ["p"]), Image(Parent, names)], 1);
        _zxid = 1;
        var random = new Random(42);
        _afters = Enumerable.Range(0, Pages).Select(_ => names[random.Next(names.Length)]).ToArray();
        if (_view.GetChildrenPage(Parent, PageSize, _afters[0], AuthInfo.Anonymous).Children.Count == 0 && Children > PageSize)
            throw new InvalidOperationException("empty page");
        // Added between existing names ("member-0001234x"), so each lands inside a block, not at the end.
        _changes = _afters.SelectMany(a => new[] { Change(a + "x", added: true), Change(a + "x", added: false) }).ToArray();
    }

    [Benchmark(OperationsPerInvoke = Pages)]
    public int Page()
    {
        var total = 0;
        foreach (var after in _afters) total += _view.GetChildrenPage(Parent, PageSize, after, AuthInfo.Anonymous).Children.Count;
        return total;
    }

    [Benchmark(OperationsPerInvoke = Pages * 2)]
    public void AddAndRemove()
    {
        // Effects are applied once per zxid: renumber them past the view's last zxid for each invocation.
        foreach (var change in _changes) _view.Apply(change with { Zxid = ++_zxid });
    }

    [Benchmark]
    public int PageByFullSort()
    {
        var all = _view.GetChildren(Parent, AuthInfo.Anonymous).Children.ToArray();
        Array.Sort(all, StringComparer.Ordinal);
        var start = Array.BinarySearch(all, _afters[0], StringComparer.Ordinal) + 1;
        return all.AsSpan(start, Math.Min(PageSize, all.Length - start)).Length;
    }

    private static TxnEffects Change(string name, bool added) =>
        new(0, [new NodeEffect(Parent, true, false, default, false, null, null, [new ChildChange(name, added)])]);

    private static NodeImage Image(string path, IReadOnlyList<string> children) =>
        new(path, null, AclList.OpenUnsafe, default, children);
}
