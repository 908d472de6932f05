namespace OrleansZk.Core.Tests;

/// <summary>
/// Partitions are projections of the tree: P <see cref="PartitionView"/>s fed the effects that
/// <see cref="EffectBuilder"/> derives from each applied txn hold exactly the tree's nodes (data,
/// ACL, stat, children), and answer reads as the tree does — over seeded random workloads with
/// multis, sessions closing with ephemerals, ACL changes and failures.
/// </summary>
public sealed class ProjectionTests
{
    private const int Operations = 6_000;

    [Theory]
    [InlineData(1, 8)]
    [InlineData(2, 1)]
    [InlineData(3, 64)]
    public void Views_fed_effects_equal_the_tree(int seed, int partitions)
    {
        var (tree, views, _) = Run(seed, partitions, Operations);
        AssertEqual(tree, views, partitions);
    }

    [Fact]
    public void A_view_loaded_from_an_image_mid_run_then_fed_later_effects_equals_the_tree()
    {
        const int partitions = 4;
        var work = new RandomWorkload(7);
        var tree = work.Tree;
        var preparer = new RequestPreparer(tree);
        var builder = new EffectBuilder(partitions);
        var views = LoadAll(tree, partitions);
        var late = new PartitionView();
        var ops = 0;
        while (ops < Operations)
        {
            foreach (var txn in work.NextBatch(preparer))
            {
                ops++;
                tree.Apply(txn);
                var effects = builder.Build(tree, txn);
                foreach (var (p, e) in effects)
                {
                    views[p].Apply(e);
                    // Partition 2 rebuilt from an image half way; effects at or below it are skipped.
                    if (p == 2 && late.LastZxid > 0) Assert.Equal(e.Zxid > late.LastZxid, late.Apply(e));
                }
                if (ops == Operations / 2)
                    late.Load(tree.Images(path => PathHash.PartitionOf(path, partitions) == 2), tree.LastZxid);
            }
        }
        views[2] = late;
        AssertEqual(tree, views, partitions);
    }

    [Fact]
    public void Effects_applied_twice_change_nothing_the_second_time()
    {
        var work = new RandomWorkload(11);
        var tree = work.Tree;
        var preparer = new RequestPreparer(tree);
        var builder = new EffectBuilder(2);
        var views = LoadAll(tree, 2);
        for (var ops = 0; ops < 2_000;)
        {
            foreach (var txn in work.NextBatch(preparer))
            {
                ops++;
                tree.Apply(txn);
                foreach (var (p, e) in builder.Build(tree, txn))
                {
                    Assert.True(views[p].Apply(e));
                    Assert.False(views[p].Apply(e));
                }
            }
        }
        AssertEqual(tree, views, 2);
    }

    [Fact]
    public void A_failed_txn_has_no_effects()
    {
        var tree = new DataTree();
        var preparer = new RequestPreparer(tree);
        var context = new RequestContext(0, 1, 1000, AuthInfo.Anonymous);
        var failed = preparer.Prepare(new DeleteRequest("/missing"), context);
        tree.Apply(failed);
        Assert.Empty(new EffectBuilder(8).Build(tree, failed));

        var rolledBack = preparer.Prepare(new MultiRequest([
            new CreateRequest("/x", null, [Acl.OpenUnsafe], CreateMode.Persistent),
            new DeleteRequest("/missing")]), context);
        tree.Apply(rolledBack);
        Assert.Empty(new EffectBuilder(8).Build(tree, rolledBack));
    }

    [Fact]
    public void Reads_match_the_tree_including_acl_checks_and_masking()
    {
        var (tree, views, paths) = Run(5, 8, 3_000);
        var digestUser = new AuthInfo([new ZkId("digest", AclRules.GenerateDigest("u:p"))], null);
        foreach (var auth in new[] { AuthInfo.Anonymous, digestUser })
        {
            foreach (var path in paths.Append("/").Append("/zookeeper").Append("/nope"))
            {
                var view = views[PathHash.PartitionOf(path, 8)];
                Assert.Equal(tree.Exists(path, auth), view.Exists(path));
                AssertSame(() => tree.GetData(path, auth), () => view.GetData(path, auth),
                    (a, b) => Assert.Equal((a.Data, a.Stat), (b.Data, b.Stat)));
                AssertSame(() => tree.GetAcl(path, auth), () => view.GetAcl(path, auth), (a, b) => Assert.Equal(a, b));
                AssertSame(() => tree.GetChildren(path, auth), () => view.GetChildren(path, auth),
                    (a, b) => Assert.Equal(a.Children.Order(StringComparer.Ordinal), b.Children.Order(StringComparer.Ordinal)));
                var below = path == "/" ? tree.NodeCount - 1 : tree.Images(k => k.StartsWith(path + "/", StringComparison.Ordinal)).Count;
                Assert.Equal(below, views.Sum(v => v.CountDescendants(path)));
            }
        }
    }

    [Fact]
    public void Partition_of_is_stable_and_spreads_paths()
    {
        // Part of the client/silo contract: these values must never change.
        Assert.Equal(PathHash.PartitionOf("/a", 64), PathHash.PartitionOf("/a", 64));
        Assert.Equal(0, PathHash.PartitionOf("/anything", 1));
        var counts = new int[64];
        for (var i = 0; i < 64_000; i++) counts[PathHash.PartitionOf($"/app/node-{i:D7}", 64)]++;
        Assert.All(counts, c => Assert.InRange(c, 700, 1300));
    }

    private static (DataTree Tree, PartitionView[] Views, List<string> Paths) Run(int seed, int partitions, int operations)
    {
        var work = new RandomWorkload(seed);
        var tree = work.Tree;
        var preparer = new RequestPreparer(tree);
        var builder = new EffectBuilder(partitions);
        var views = LoadAll(tree, partitions);
        var paths = new HashSet<string>(StringComparer.Ordinal);
        var ops = 0;
        var changed = 0;
        while (ops < operations)
        {
            foreach (var txn in work.NextBatch(preparer))
            {
                ops++;
                tree.Apply(txn);
                foreach (var (p, e) in builder.Build(tree, txn))
                {
                    changed++;
                    views[p].Apply(e);
                    foreach (var n in e.Nodes) paths.Add(n.Path);
                }
            }
        }
        Assert.True(changed > operations / 4, $"only {changed} deliveries: the workload changes too little to test anything");
        return (tree, views, paths.Order(StringComparer.Ordinal).ToList());
    }

    private static PartitionView[] LoadAll(DataTree tree, int partitions)
    {
        var views = new PartitionView[partitions];
        for (var p = 0; p < partitions; p++)
        {
            views[p] = new PartitionView();
            views[p].Load(tree.Images(path => PathHash.PartitionOf(path, partitions) == p), tree.LastZxid);
        }
        return views;
    }

    private static void AssertEqual(DataTree tree, PartitionView[] views, int partitions)
    {
        var expected = tree.Images(_ => true).ToDictionary(i => i.Path);
        var seen = 0;
        for (var p = 0; p < partitions; p++)
        {
            foreach (var image in views[p].Images())
            {
                seen++;
                Assert.Equal(p, PathHash.PartitionOf(image.Path, partitions));
                Assert.True(expected.TryGetValue(image.Path, out var want), $"partition {p} holds {image.Path}, which the tree does not");
                Assert.Equal(want.Stat, image.Stat);
                Assert.Equal(want.Acl, image.Acl);
                Assert.Equal(want.Data ?? [], image.Data ?? []);
                Assert.Equal(want.Data == null, image.Data == null);
                Assert.Equal(want.Children.Order(StringComparer.Ordinal), image.Children.Order(StringComparer.Ordinal));
            }
        }
        Assert.Equal(expected.Count, seen);
    }

    private static void AssertSame<T>(Func<T> fromTree, Func<T> fromView, Action<T, T> compare)
    {
        T? a = default, b = default;
        ZkErrorCode? ea = null, eb = null;
        try { a = fromTree(); } catch (ZkException e) { ea = e.Code; }
        try { b = fromView(); } catch (ZkException e) { eb = e.Code; }
        Assert.Equal(ea, eb);
        if (ea == null) compare(a!, b!);
    }
}
