using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using OrleansZk.Core;

namespace OrleansZk.Bench;

/// <summary>
/// `--memory [N] [P]`: not BenchmarkDotNet. Builds a tree of N znodes (default 1,000,000) with
/// 32-byte data under P parents (default 10: /m/0 … /m/9) by prepare + apply, and reports
///   1. memory: GC.GetTotalMemory(true) before and after, per znode in total and beyond its path
///      string and data (with and without the byte[] object's header), plus a breakdown;
///   2. apply alone: the same N create txns applied to a fresh tree, timed with a Stopwatch,
///      5 runs in this process, median creates/s (a cross-check of the ApplyCreate benchmark).
/// </summary>
internal static class MemoryMode
{
    private const int DataBytes = 32;
    private const int Runs = 5;

    public static int Run(string[] args)
    {
        var n = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var parentCount = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        var parents = Enumerable.Range(0, parentCount).Select(p => $"/m/{p}").ToArray();
        Console.WriteLine($"{n:N0} znodes of {DataBytes}-byte data under {parentCount} parents (/m/0 …), world ACL, persistent");
        Console.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} cores, server GC {System.Runtime.GCSettings.IsServerGC}, 64-bit {Environment.Is64BitProcess}");

        var digest = MeasureMemory(n, parents);
        GC.Collect();
        var (txns, setupCount) = PrepareTxns(n, parents);
        MeasureApply(txns, setupCount, digest);
        return 0;
    }

    /// <summary>The size of a .NET string object of <paramref name="length"/> chars on 64-bit: 22 + 2·length bytes, rounded up to 8.</summary>
    private static long StringSize(int length) => (22 + 2L * length + 7) & ~7L;

    /// <summary>A byte[] of n bytes: 8 (header) + 8 (method table) + 8 (length) + n, rounded up to 8.</summary>
    private static long ByteArraySize(int length) => (24L + length + 7) & ~7L;

    private static string NodePath(string[] parents, int i) => $"{parents[i % parents.Length]}/n{i:D7}";

    /// <summary>A tree with an open session and the persistent parents "/m", /m/0 …, built by prepare + apply.</summary>
    private static (DataTree, RequestPreparer, RequestContext, List<Txn>) NewTree(string[] parents)
    {
        var txns = new List<Txn>();
        var tree = new DataTree();
        var preparer = new RequestPreparer(tree);
        var service = new RequestContext(0, 0, Fixture.TimeMs, AuthInfo.Anonymous);
        txns.Add(preparer.Prepare(new CreateSessionRequest(30_000, new byte[16]), service));
        Fixture.Expect(tree.Apply(txns[^1]));
        var context = new RequestContext(((CreateSessionTxn)txns[^1].Body).SessionId, 1, Fixture.TimeMs, AuthInfo.Anonymous);
        foreach (var p in (string[])["/m", .. parents])
        {
            txns.Add(preparer.Prepare(Fixture.Create(p, 0), context));
            Fixture.Expect(tree.Apply(txns[^1]));
        }
        return (tree, preparer, context, txns);
    }

    /// <summary>
    /// Builds the tree (prepare + apply of each create; nothing but the tree keeps what is
    /// created) and measures it; returns its digest.
    /// </summary>
    private static ulong MeasureMemory(int n, string[] parents)
    {
        var (tree, preparer, context, _) = NewTree(parents);
        var before = GC.GetTotalMemory(true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(true);
        long pathBytes = 0;
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < n; i++)
        {
            var path = NodePath(parents, i);
            pathBytes += StringSize(path.Length);
            Fixture.Expect(tree.Apply(preparer.Prepare(new CreateRequest(path, Fixture.Data32(i), Fixture.WorldAcl, CreateMode.Persistent), context)));
        }
        sw.Stop();
        var allocated = GC.GetTotalAllocatedBytes(true) - allocatedBefore;
        var after = GC.GetTotalMemory(true);
        if (tree.NodeCount != n + parents.Length + 5) throw new InvalidOperationException($"tree has {tree.NodeCount} nodes");

        var treeBytes = after - before;
        var perNode = (double)treeBytes / n;
        var pathPerNode = (double)pathBytes / n;
        var dataObject = ByteArraySize(DataBytes);
        Console.WriteLine();
        Console.WriteLine("Memory (GC.GetTotalMemory(true) after the creates − before them):");
        Console.WriteLine($"  tree growth                         {treeBytes,14:N0} bytes");
        Console.WriteLine($"  per znode, total                    {perNode,10:F1} bytes");
        Console.WriteLine($"  path string (22 + 2·len, to 8)      {pathPerNode,10:F1} bytes   (avg over the {n:N0} paths)");
        Console.WriteLine($"  data byte[] object                  {dataObject,10} bytes   ({DataBytes} payload + 24 header/length)");
        Console.WriteLine($"  beyond path string and data payload {perNode - pathPerNode - DataBytes,10:F1} bytes   (byte[] header counted as overhead)");
        Console.WriteLine($"  beyond path string and data object  {perNode - pathPerNode - dataObject,10:F1} bytes   (byte[] header counted as data)");
        Console.WriteLine("  breakdown (estimated):");
        var nodeSize = InstanceSize(() => new DataNode(null, AclList.OpenUnsafe));
        Console.WriteLine($"    DataNode object                   {nodeSize,10} bytes");
        var nodes = (Dictionary<string, DataNode>)typeof(DataTree).GetField("_nodes", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(tree)!;
        var nodesCapacity = nodes.EnsureCapacity(0);
        var mapShare = 28.0 * nodesCapacity / n;
        Console.WriteLine($"    tree map slot share               {mapShare,10:F1} bytes   (Dictionary: {nodes.Count:N0} entries, capacity {nodesCapacity:N0}, 24-byte entry + 4-byte bucket)");
        long childSlots = 0;
        foreach (var p in parents) childSlots += tree.GetNode(p)!.Children!.Capacity;
        var childShare = 12.0 * childSlots / n;
        Console.WriteLine($"    children-set slot share           {childShare,10:F1} bytes   (ChildSet per parent: {childSlots:N0} slots in all, 12 bytes a slot: reference + hash)");
        Console.WriteLine($"    unexplained                       {perNode - pathPerNode - dataObject - nodeSize - mapShare - childShare,10:F1} bytes");
        Console.WriteLine();
        Console.WriteLine($"Prepare + apply while building: {n / sw.Elapsed.TotalSeconds,12:N0} creates/s ({sw.Elapsed.TotalMilliseconds * 1e6 / n:F0} ns/create), allocated {(double)allocated / n:F0} bytes/create (incl. path, data, request)");
        var digest = tree.ComputeDigest();
        GC.KeepAlive(tree);
        return digest;
    }

    /// <summary>The txns that build the same tree: session, parents, then the N creates (each applied as prepared, so the preparer's pending map stays small).</summary>
    private static (List<Txn> Txns, int SetupCount) PrepareTxns(int n, string[] parents)
    {
        var (tree, preparer, context, txns) = NewTree(parents);
        var setupCount = txns.Count;
        txns.Capacity = setupCount + n;
        for (var i = 0; i < n; i++)
        {
            var txn = preparer.Prepare(new CreateRequest(NodePath(parents, i), Fixture.Data32(i), Fixture.WorldAcl, CreateMode.Persistent), context);
            Fixture.Expect(tree.Apply(txn));
            txns.Add(txn);
        }
        return (txns, setupCount);
    }

    /// <summary>Applies the txns to fresh trees, timing the N creates alone; checks the result equals the built tree.</summary>
    private static void MeasureApply(List<Txn> txns, int setupCount, ulong digest)
    {
        var creates = txns.Count - setupCount;
        var rates = new List<double>();
        Console.WriteLine();
        Console.WriteLine($"Apply alone: {creates:N0} prepared CreateTxns applied to a fresh tree, {Runs} runs:");
        for (var run = 0; run < Runs; run++)
        {
            var tree = new DataTree();
            for (var i = 0; i < setupCount; i++) Fixture.Expect(tree.Apply(txns[i]));
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var gcBefore = GC.CollectionCount(0);
            var gen2Before = GC.CollectionCount(2);
            var sw = Stopwatch.StartNew();
            for (var i = setupCount; i < txns.Count; i++) tree.Apply(txns[i]);
            sw.Stop();
            var rate = creates / sw.Elapsed.TotalSeconds;
            rates.Add(rate);
            var ok = run > 0 || tree.ComputeDigest() == digest;
            Console.WriteLine($"  run {run + 1}: {sw.Elapsed.TotalMilliseconds,8:F0} ms  {rate,12:N0} creates/s  {sw.Elapsed.TotalMilliseconds * 1e6 / creates,6:F0} ns/create  (GCs gen0 {GC.CollectionCount(0) - gcBefore}, gen2 {GC.CollectionCount(2) - gen2Before}){(run == 0 ? ok ? "  digest = built tree" : "  DIGEST MISMATCH" : "")}");
            if (!ok) throw new InvalidOperationException("applying the txns did not reproduce the tree");
        }
        rates.Sort();
        Console.WriteLine($"  median: {rates[rates.Count / 2]:N0} creates/s ({1e9 / rates[rates.Count / 2]:F0} ns/create); goal ≥ 1,000,000");
    }

    /// <summary>The bytes one object takes on the heap, measured by allocating many.</summary>
    private static long InstanceSize<T>(Func<T> make)
    {
        const int count = 10_000;
        var keep = new T[count];
        make();
        var start = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < count; i++) keep[i] = make();
        var bytes = GC.GetAllocatedBytesForCurrentThread() - start;
        GC.KeepAlive(keep);
        return (bytes + count / 2) / count;
    }
}
