using System.Diagnostics;
using OrleansZk.Core;

namespace OrleansZk.Storage.Tests;

public sealed class ReplicaStoreTests : IDisposable
{
    private readonly TempDir _tmp = new();
    public void Dispose() => _tmp.Dispose();

    private StorageOptions Options(long snapCount = 100_000, int retain = 3) =>
        T.Options(_tmp.Path, forceSync: false, segmentBytes: 4096) with { SnapCount = snapCount, PurgeRetainCount = retain };

    /// <summary>Applies the script to the log and a live tree, snapshotting whenever the store says so.</summary>
    private static async Task<DataTree> Run(ReplicaStore store, DataTree tree, IEnumerable<Zab.LogEntry> txns, params long[] snapshotAt)
    {
        foreach (var t in txns)
        {
            store.Log.Append(t);
            store.Log.Sync();
            TreeTxns.Apply(tree, t);
            if (store.NoteCommitted() || snapshotAt.Contains(t.Zxid)) await store.TakeSnapshotAsync(tree);
        }
        return tree;
    }

    private static void AssertSameTree(DataTree expected, DataTree actual)
    {
        Assert.Equal(expected.LastZxid, actual.LastZxid);
        Assert.Equal(expected.NodeCount, actual.NodeCount);
        Assert.Equal(expected.ComputeDigest(), actual.ComputeDigest());
    }

    [Fact]
    public async Task Startup_loads_the_newest_snapshot_and_replays_the_log_after_it()
    {
        DataTree live;
        await using (var store = ReplicaStore.Open(Options()))
        {
            var empty = store.RecoverDataTree(TreeTxns.Apply);
            Assert.Equal((0L, 0L), (empty.SnapshotZxid, empty.Replayed));
            live = await Run(store, empty.State, TreeTxns.Script(500), 200, 400);
            Assert.True(live.NodeCount > 333, "the script's creates took effect");
            Assert.Equal("d498"u8.ToArray(), live.GetData("/n166", AuthInfo.Anonymous).Data); // and its setData (zxid 498 sets /n(498 % 332))
        }
        Assert.Equal([200L, 400L], new SnapshotStore(_tmp.Sub("snap"), false).Zxids());
        await using var reopened = ReplicaStore.Open(Options());
        var r = reopened.RecoverDataTree(TreeTxns.Apply);
        Assert.Equal((400L, 100L, 500L), (r.SnapshotZxid, r.Replayed, r.LastZxid));
        Assert.Empty(r.SkippedSnapshots);
        AssertSameTree(live, r.State);

        // A ZAB replica replays nothing past its snapshot: the engine re-delivers the commits.
        var zab = reopened.RecoverDataTree((_, _) => throw new InvalidOperationException("no replay expected"), replayThrough: 0);
        Assert.Equal((400L, 0L, 400L), (zab.SnapshotZxid, zab.Replayed, zab.LastZxid));
        var partial = reopened.RecoverDataTree(TreeTxns.Apply, replayThrough: 450);
        Assert.Equal((50L, 450L), (partial.Replayed, partial.LastZxid));
    }

    [Fact]
    public async Task A_damaged_newest_snapshot_falls_back_to_an_older_one()
    {
        DataTree live;
        await using (var store = ReplicaStore.Open(Options()))
            live = await Run(store, new DataTree(), TreeTxns.Script(500), 200, 400);
        var newest = Path.Combine(_tmp.Sub("snap"), SnapshotStore.FileName(400));
        var bytes = File.ReadAllBytes(newest);
        bytes[bytes.Length / 2] ^= 0x55;
        File.WriteAllBytes(newest, bytes);
        // A snapshot whose name lies about its zxid is damaged too.
        File.Copy(Path.Combine(_tmp.Sub("snap"), SnapshotStore.FileName(200)), Path.Combine(_tmp.Sub("snap"), SnapshotStore.FileName(450)));

        await using var reopened = ReplicaStore.Open(Options());
        var r = reopened.RecoverDataTree(TreeTxns.Apply);
        Assert.Equal((200L, 300L), (r.SnapshotZxid, r.Replayed));
        Assert.Equal([SnapshotStore.FileName(450), SnapshotStore.FileName(400)], r.SkippedSnapshots.Select(s => Path.GetFileName(s.Path)));
        AssertSameTree(live, r.State);
    }

    [Fact]
    public async Task Purge_keeps_PurgeRetainCount_snapshots_and_the_log_needed_from_the_oldest()
    {
        DataTree live;
        long baseZxid;
        await using (var store = ReplicaStore.Open(Options(snapCount: 100, retain: 2)))
        {
            live = await Run(store, new DataTree(), TreeTxns.Script(2000));
            Assert.Equal([1900L, 2000L], store.Snapshots.Zxids());
            baseZxid = store.Log.BaseZxid;
            Assert.InRange(baseZxid, 1, 1900); // old segments are gone, replay from 1900 is still possible
        }
        Assert.True(T.Segments(_tmp.Sub("log")).Length < 6);

        // The newest snapshot is damaged: the older retained one plus the log still rebuild the tree.
        File.WriteAllBytes(Path.Combine(_tmp.Sub("snap"), SnapshotStore.FileName(2000)), [1, 2, 3]);
        await using (var reopened = ReplicaStore.Open(Options(snapCount: 100, retain: 2)))
        {
            var r = reopened.RecoverDataTree(TreeTxns.Apply);
            Assert.Equal((1900L, 100L), (r.SnapshotZxid, r.Replayed));
            AssertSameTree(live, r.State);
        }

        // With every snapshot damaged, the log alone cannot reach back to zxid 0: a clear error.
        File.WriteAllBytes(Path.Combine(_tmp.Sub("snap"), SnapshotStore.FileName(1900)), [4, 5, 6]);
        await using var broken = ReplicaStore.Open(Options(snapCount: 100, retain: 2));
        var e = Assert.Throws<RecoveryException>(() => broken.RecoverDataTree(TreeTxns.Apply));
        Assert.Contains("no valid snapshot", e.Message);
        Assert.Contains(SnapshotStore.FileName(1900), e.Message);
    }

    [Fact]
    public async Task An_incremental_snapshot_taken_while_applying_is_exactly_the_tree_at_its_zxid()
    {
        var live = new DataTree();
        await using (var store = ReplicaStore.Open(Options()))
        {
            var script = TreeTxns.Script(400).ToList();
            await Run(store, live, script.Take(300));
            using var snap = store.BeginSnapshot(live);
            Assert.Equal(300, snap.Zxid);
            foreach (var t in script.Skip(300))
            {
                store.Log.Append(t);
                TreeTxns.Apply(live, t);
                snap.WriteSome(3);
            }
            while (!snap.WriteSome(3)) { }
            await snap.Committed;
            store.Log.Sync();
        }
        await using var reopened = ReplicaStore.Open(Options());
        var r = reopened.RecoverDataTree(TreeTxns.Apply);
        Assert.Equal((300L, 100L), (r.SnapshotZxid, r.Replayed));
        AssertSameTree(live, r.State);
    }

    [Fact]
    public async Task Unfinished_snapshots_are_ignored_and_removed()
    {
        await using (var store = ReplicaStore.Open(Options()))
        {
            var live = await Run(store, new DataTree(), TreeTxns.Script(50), 20);
            var abandoned = store.BeginSnapshot(live);
            abandoned.WriteSome(1);
            // Crash: the temp file stays behind (not disposed).
            Assert.Single(Directory.GetFiles(_tmp.Sub("snap"), "*.tmp"));
            store.Log.Sync();
        }
        await using var reopened = ReplicaStore.Open(Options());
        Assert.Empty(Directory.GetFiles(_tmp.Sub("snap"), "*.tmp"));
        Assert.Equal(20, reopened.RecoverDataTree(TreeTxns.Apply).SnapshotZxid);
    }

    [Fact]
    public async Task Abandoning_a_snapshot_deletes_its_file_and_frees_the_tree_for_the_next()
    {
        await using var store = ReplicaStore.Open(Options());
        var live = await Run(store, new DataTree(), TreeTxns.Script(50));
        using (var abandoned = store.BeginSnapshot(live))
            Assert.False(abandoned.WriteSome(1));
        Assert.Empty(Directory.GetFiles(_tmp.Sub("snap")));
        Assert.Equal(50, await store.TakeSnapshotAsync(live));
        Assert.Equal([50L], store.Snapshots.Zxids());
    }

    [Fact]
    public async Task Group_commit_pipeline_with_snapshots_and_purges_recovers_every_acknowledged_txn()
    {
        DataTree live = new();
        await using (var store = ReplicaStore.Open(Options(snapCount: 100, retain: 2)))
        {
            var front = store.OpenGroupCommit();
            foreach (var chunk in TreeTxns.Script(1000).Chunk(10))
            {
                await Task.WhenAll(chunk.Select(t => front.AppendAsync(t)));
                foreach (var t in chunk) TreeTxns.Apply(live, t);
                if (store.NoteCommitted(chunk.Length)) await store.TakeSnapshotAsync(live);
            }
        }
        await using var reopened = ReplicaStore.Open(Options(snapCount: 100, retain: 2));
        Assert.True(reopened.Log.BaseZxid > 0);
        AssertSameTree(live, reopened.RecoverDataTree(TreeTxns.Apply).State);
    }

    [Fact]
    public async Task A_data_directory_is_locked_against_a_second_store()
    {
        var store = ReplicaStore.Open(Options());
        var e = Assert.Throws<DataDirectoryLockedException>(() => ReplicaStore.Open(Options()));
        Assert.Equal(Path.Combine(_tmp.Path, "LOCK"), e.LockPath);
        Assert.Contains("in use", e.Message);
        await store.DisposeAsync();
        await using var again = ReplicaStore.Open(Options());
    }

    [Fact]
    public void A_data_directory_locked_by_another_process_is_refused()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/flock")) return; // the exclusion itself is tested above
        var lockPath = Path.Combine(_tmp.Path, "LOCK");
        File.WriteAllText(lockPath, "");
        using var child = Process.Start(new ProcessStartInfo("/usr/bin/flock", ["-x", lockPath, "-c", "echo locked; read _"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        })!;
        try
        {
            Assert.Equal("locked", child.StandardOutput.ReadLine());
            Assert.Throws<DataDirectoryLockedException>(() => ReplicaStore.Open(Options()));
        }
        finally
        {
            child.StandardInput.Close();
            if (!child.WaitForExit(10_000)) child.Kill();
        }
        // The holder is gone: the lock is free again.
        using var _ = DirectoryLock.Acquire(_tmp.Path);
    }

    [Fact]
    public async Task A_corrupt_log_stops_Open_with_the_file_and_offset_and_leaves_the_directory_unlocked()
    {
        await using (var store = ReplicaStore.Open(Options()))
        {
            store.Log.Append(T.Txns(1, 10));
            store.Log.Sync();
        }
        var seg = T.Segments(_tmp.Sub("log")).Single();
        var good = File.ReadAllBytes(seg);
        var bad = (byte[])good.Clone();
        bad[32 + 60 * 2 + 30] ^= 1; // inside record 3 of 10 (60-byte records)
        File.WriteAllBytes(seg, bad);
        var e = Assert.Throws<LogCorruptException>(() => ReplicaStore.Open(Options()));
        Assert.Equal((seg, 32L + 60 * 2), (e.FilePath, e.Offset));
        File.WriteAllBytes(seg, good);
        await using var reopened = ReplicaStore.Open(Options());
        Assert.Equal(10, reopened.Log.LastZxid);
    }

    [Fact]
    public void Bad_options_name_the_setting()
    {
        var e = Assert.Throws<ArgumentException>(() => ReplicaStore.Open(Options() with { SnapCount = 0 }));
        Assert.Equal("SnapCount", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => ReplicaStore.Open(Options() with { PurgeRetainCount = 0 }));
        Assert.Equal("PurgeRetainCount", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => ReplicaStore.Open(Options() with { SegmentBytes = 10 }));
        Assert.Equal("SegmentBytes", e.ParamName);
    }
}
