namespace OrleansZk.Core.Tests;

/// <summary>
/// The triggers <see cref="EffectBuilder"/> puts on each <see cref="NodeEffect"/> are exactly the
/// <see cref="WatchTrigger"/>s <see cref="DataTree.Apply"/> reports for the same txn (the ground
/// truth: ZooKeeper's rules, checked against real ZooKeeper by the conformance tests) — same types,
/// same paths, same order once the orders are followed across nodes and partitions.
/// </summary>
public sealed class EffectTriggerTests
{
    [Theory]
    [InlineData(1, 8)]
    [InlineData(4, 1)]
    [InlineData(9, 64)]
    public void Effect_triggers_equal_the_trees_triggers_over_a_random_workload(int seed, int partitions)
    {
        var work = new RandomWorkload(seed);
        var tree = work.Tree;
        var preparer = new RequestPreparer(tree);
        var builder = new EffectBuilder(partitions);
        int ops = 0, triggers = 0, several = 0;
        while (ops < 6_000)
        {
            foreach (var txn in work.NextBatch(preparer))
            {
                ops++;
                var result = tree.Apply(txn);
                var fromEffects = builder.Build(tree, txn)
                    .SelectMany(pe => pe.Effects.Nodes.SelectMany(n => (n.Triggers ?? []).Select(t => (t.Order, Trigger: new WatchTrigger(t.Type, n.Path)))))
                    .OrderBy(t => t.Order)
                    .ToList();
                Assert.Equal(Enumerable.Range(0, fromEffects.Count), fromEffects.Select(t => t.Order));
                Assert.Equal(result.Triggers, fromEffects.Select(t => t.Trigger));
                triggers += fromEffects.Count;
                if (fromEffects.Count > 2) several++;
            }
        }
        Assert.True(triggers > 3_000, $"only {triggers} triggers: the workload fires too little to test anything");
        Assert.True(several > 50, $"only {several} txns with more than one op's triggers (multis, session closes)");
    }

    [Fact]
    public void SetAcl_causes_no_trigger_and_a_multi_keeps_every_trigger_in_op_order()
    {
        var tree = new DataTree();
        var preparer = new RequestPreparer(tree);
        var context = new RequestContext(0, 1, 1000, AuthInfo.Anonymous);
        var builder = new EffectBuilder(4);
        tree.Apply(preparer.Prepare(new CreateRequest("/a", null, [Acl.OpenUnsafe], CreateMode.Persistent), context));

        var acl = preparer.Prepare(new SetAclRequest("/a", new AclList([Acl.OpenUnsafe]), -1), context);
        tree.Apply(acl);
        var effect = Assert.Single(builder.Build(tree, acl)).Effects.Nodes.Single();
        Assert.Null(effect.Triggers);

        var multi = preparer.Prepare(new MultiRequest([
            new CreateRequest("/a/b", null, [Acl.OpenUnsafe], CreateMode.Persistent),
            new SetDataRequest("/a/b", [1]),
            new SetDataRequest("/a", [2]),
            new DeleteRequest("/a/b")]), context);
        tree.Apply(multi);
        var nodes = builder.Build(tree, multi).SelectMany(pe => pe.Effects.Nodes).ToDictionary(n => n.Path);
        Assert.Equal(
            [new EffectTrigger(WatchEventType.NodeCreated, 0), new EffectTrigger(WatchEventType.NodeDataChanged, 2), new EffectTrigger(WatchEventType.NodeDeleted, 4)],
            nodes["/a/b"].Triggers);
        Assert.Equal(
            [new EffectTrigger(WatchEventType.NodeChildrenChanged, 1), new EffectTrigger(WatchEventType.NodeDataChanged, 3), new EffectTrigger(WatchEventType.NodeChildrenChanged, 5)],
            nodes["/a"].Triggers);
        Assert.True(nodes["/a"].Caused(WatchEventType.NodeDataChanged));
        Assert.False(nodes["/a"].Caused(WatchEventType.NodeDeleted));
    }
}
