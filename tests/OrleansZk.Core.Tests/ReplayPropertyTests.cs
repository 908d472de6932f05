namespace OrleansZk.Core.Tests;

/// <summary>
/// Snapshot + replay equals the live tree; applying a txn twice changes nothing; the digest does
/// not depend on iteration order — over ≥ 10,000 seeded random operations.
/// </summary>
public sealed class ReplayPropertyTests
{
    private const int Operations = 12_000;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Snapshot_taken_mid_run_while_applies_continue_plus_replay_equals_live(int seed)
    {
        var work = new RandomWorkload(seed);
        var live = work.Tree;
        var preparer = new RequestPreparer(live);
        var log = new List<Txn>();
        var snapshotStream = new MemoryStream();
        SnapshotWriter? writer = null;
        ulong digestAtSnapshot = 0;
        int failed = 0, ops = 0, slices = 0;

        while (ops < Operations)
        {
            foreach (var txn in work.NextBatch(preparer))
            {
                ops++;
                log.Add(txn);
                if (live.Apply(txn).Code != ZkErrorCode.Ok) failed++;
                // The snapshot is written a few nodes at a time between applies.
                if (writer != null && writer.Info == null)
                {
                    writer.WriteSome(3);
                    slices++;
                }
            }
            if (writer == null && ops >= Operations / 2)
            {
                digestAtSnapshot = live.ComputeDigest();
                writer = live.BeginSnapshot(snapshotStream);
            }
        }
        while (!writer!.WriteSome(100)) { }

        Assert.True(failed > ops / 20, $"only {failed} of {ops} requests failed: the workload does not exercise error paths");
        Assert.True(failed < ops / 2, $"{failed} of {ops} requests failed: the workload mostly misses");
        Assert.True(slices > 10, "the snapshot was written in one go, not interleaved with applies");
        Assert.True(live.NodeCount > 20, $"the tree stayed tiny ({live.NodeCount} nodes)");
        Assert.Equal(digestAtSnapshot, writer.Info!.Digest);

        snapshotStream.Position = 0;
        var restored = DataTree.LoadSnapshot(snapshotStream);
        Assert.Equal(writer.Zxid, restored.LastZxid);
        Assert.Equal(digestAtSnapshot, restored.ComputeDigest());
        foreach (var txn in log.Where(t => t.Zxid > writer.Zxid)) restored.Apply(txn);

        Assert.Equal(live.LastZxid, restored.LastZxid);
        Assert.Equal(live.ComputeDigest(), restored.ComputeDigest());
        Assert.Equal(TreeDump.Of(live), TreeDump.Of(restored));
        AssertCountsAgree(live);
        AssertCountsAgree(restored);
    }

    /// <summary>The tree's running counts (mntr's zk_ephemerals_count, zk_approximate_data_size) equal a recount of its nodes.</summary>
    private static void AssertCountsAgree(DataTree tree)
    {
        var (ephemerals, size) = TreeDump.Recount(tree);
        Assert.True(ephemerals > 0, "the workload left no ephemeral node to count");
        Assert.Equal(ephemerals, tree.EphemeralCount);
        Assert.Equal(size, tree.ApproximateDataSize);
    }

    [Fact]
    public void Applying_each_txn_twice_changes_nothing()
    {
        var work = new RandomWorkload(42);
        var preparer = new RequestPreparer(work.Tree);
        var twice = new DataTree();
        var checkedSteps = 0;
        for (var ops = 0; ops < Operations;)
        {
            foreach (var txn in work.NextBatch(preparer))
            {
                ops++;
                work.Tree.Apply(txn);
                twice.Apply(txn);
                if (ops % 97 == 0)
                {
                    var once = twice.ComputeDigest();
                    twice.Apply(txn);
                    Assert.Equal(once, twice.ComputeDigest());
                    checkedSteps++;
                }
                else
                {
                    twice.Apply(txn);
                }
            }
        }
        Assert.True(checkedSteps > 100);
        Assert.Equal(work.Tree.ComputeDigest(), twice.ComputeDigest());
        Assert.Equal(TreeDump.Of(work.Tree), TreeDump.Of(twice));
        AssertCountsAgree(twice);
    }

    [Fact]
    public void Digest_does_not_depend_on_iteration_order_and_sees_every_change()
    {
        var work = new RandomWorkload(7);
        var preparer = new RequestPreparer(work.Tree);
        for (var ops = 0; ops < 3000;) foreach (var txn in work.NextBatch(preparer)) { ops++; work.Tree.Apply(txn); }
        var tree = work.Tree;

        var stream = new MemoryStream();
        tree.WriteSnapshot(stream);
        // Re-insert the nodes in reverse order: a different map layout and enumeration order.
        var reversed = TreeDump.RebuildInReverseOrder(tree);
        Assert.Equal(tree.ComputeDigest(), reversed.ComputeDigest());

        var path = tree.GetChildren("/", AuthInfo.Anonymous).Children.First(c => c != "zookeeper");
        var before = tree.ComputeDigest();
        tree.Apply(new Txn(tree.LastZxid + 1, 1, 0, 0, new SetDataTxn("/" + path, [9], 77)));
        Assert.NotEqual(before, tree.ComputeDigest());
    }
}
