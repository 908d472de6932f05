using OrleansZk.Zab;

namespace OrleansZk.Core.Tests;

/// <summary>
/// The ZooKeeper state machine under ZAB: replicas that apply the same committed entries agree,
/// one loaded from a snapshot half way included; its partition chain is exact after the load point
/// and an upper bound before it; the catch-up it offers a partition (DIFF from the effect history,
/// or an image from the index) brings any partition state to the tree's.
/// </summary>
public sealed class StateMachineTests
{
    private const int Partitions = 8;

    private static ZkStateMachine Machine(DataTree tree, int historyTxns = 10_000) =>
        new(tree, Partitions, new EffectHistory(historyTxns, 64 << 20), () => throw new InvalidOperationException("no SNAP here"));

    /// <summary>A seeded workload as committed log entries (prepared on a scratch leader tree).</summary>
    private static List<(LogEntry Entry, Txn Txn)> Entries(int seed, int count)
    {
        var work = new RandomWorkload(seed);
        var preparer = new RequestPreparer(work.Tree);
        var entries = new List<(LogEntry, Txn)>();
        while (entries.Count < count)
        {
            foreach (var txn in work.NextBatch(preparer))
            {
                work.Tree.Apply(txn);
                entries.Add((new LogEntry(txn.Zxid, TxnCodec.Encode(txn)), txn));
            }
        }
        return entries;
    }

    private static ZabSnapshot Snapshot(DataTree tree)
    {
        var bytes = new MemoryStream();
        tree.WriteSnapshot(bytes);
        return new ZabSnapshot(tree.LastZxid, bytes.ToArray());
    }

    [Fact]
    public void Replicas_agree_and_a_replica_installed_from_a_snapshot_keeps_an_upper_bound_chain()
    {
        var entries = Entries(seed: 3, count: 4_000);
        var leader = Machine(new DataTree());
        var follower = Machine(new DataTree());
        ZkStateMachine? late = null;
        long loadedAt = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            var (entry, txn) = entries[i];
            leader.Apply(entry, txn); // the leader's own decoded txn
            follower.Apply(entry);    // decoded from the payload
            late?.Apply(entry);
            if (i == entries.Count / 2)
            {
                late = Machine(new DataTree());
                late.Install(Snapshot(leader.Tree));
                loadedAt = late.AppliedZxid;
            }
        }
        Assert.Equal(leader.Tree.ComputeDigest(), follower.Tree.ComputeDigest());
        Assert.Equal(leader.Tree.ComputeDigest(), late!.Tree.ComputeDigest());
        var exact = 0;
        for (var p = 0; p < Partitions; p++)
        {
            Assert.Equal(leader.PartitionLast(p), follower.PartitionLast(p));
            if (leader.PartitionLast(p) > loadedAt)
            {
                exact++;
                Assert.Equal(leader.PartitionLast(p), late.PartitionLast(p));
            }
            else
            {
                Assert.Equal(loadedAt, late.PartitionLast(p));
            }
        }
        Assert.True(exact > 0, "no partition was touched after the load point: the test proves nothing");
    }

    [Fact]
    public void Catch_up_by_diff_or_by_image_brings_any_earlier_partition_state_to_the_trees()
    {
        var entries = Entries(seed: 5, count: 3_000);
        var machine = Machine(new DataTree(), historyTxns: 500);
        // Partition states taken at several points, to be caught up at the end.
        var states = new List<(long Zxid, PartitionView[] Views)>();
        for (var i = 0; i < entries.Count; i++)
        {
            machine.Apply(entries[i].Entry);
            if (i % 400 == 0)
            {
                var views = new PartitionView[Partitions];
                for (var p = 0; p < Partitions; p++)
                {
                    views[p] = new PartitionView();
                    views[p].Load(machine.Image(p), machine.AppliedZxid);
                }
                states.Add((machine.AppliedZxid, views));
            }
        }
        int diffs = 0, images = 0;
        foreach (var (zxid, views) in states)
        {
            for (var p = 0; p < Partitions; p++)
            {
                var catchUp = machine.CatchUp(p, zxid);
                Assert.Equal(machine.AppliedZxid, catchUp.Watermark);
                if (catchUp.Diff is { } diff)
                {
                    diffs++;
                    foreach (var e in diff) Assert.True(views[p].Apply(e));
                }
                else
                {
                    images++;
                    views[p].Load(catchUp.Image!, catchUp.Watermark);
                }
                var want = machine.Tree.Images(path => PathHash.PartitionOf(path, Partitions) == p).OrderBy(n => n.Path, StringComparer.Ordinal).ToList();
                var got = views[p].Images().OrderBy(n => n.Path, StringComparer.Ordinal).ToList();
                Assert.Equal(want.Select(n => (n.Path, n.Stat)), got.Select(n => (n.Path, n.Stat)));
                Assert.Equal(want.Select(n => n.Children.Order(StringComparer.Ordinal).ToList()), got.Select(n => n.Children.Order(StringComparer.Ordinal).ToList()));
            }
        }
        Assert.True(diffs > 0 && images > 0, $"both paths must be taken (diffs {diffs}, images {images})");
        // A partition ahead of this replica (it lost its data) gets an image, never a diff.
        Assert.NotNull(machine.CatchUp(0, machine.AppliedZxid + 1).Image);
    }

    [Fact]
    public void The_history_keeps_its_bounds_and_says_how_far_it_reaches()
    {
        var history = new EffectHistory(maxTxns: 3, maxBytes: 1 << 20);
        history.Reset(10);
        Assert.True(history.Covers(10));
        Assert.False(history.Covers(9));
        for (var z = 11; z <= 15; z++)
            history.Add(z, [(0, new TxnEffects(z, [new NodeEffect("/a", false, false, default, false, null, null, null)]))]);
        Assert.Equal(3, history.Count);
        Assert.Equal(12, history.StartsAfter);
        Assert.False(history.Covers(11));
        Assert.Equal([13L, 14, 15], history.For(0, 12).Select(e => e.Zxid));
        Assert.Empty(history.For(1, 12));

        var small = new EffectHistory(maxTxns: 100, maxBytes: 1_000);
        small.Add(1, [(0, new TxnEffects(1, [new NodeEffect("/big", true, true, default, true, new byte[5_000], AclList.OpenUnsafe, null)]))]);
        Assert.Equal(0, small.Count); // over the byte bound at once: nothing kept
        Assert.Equal(1, small.StartsAfter);
    }
}
