namespace OrleansZk.Core.Tests;

public sealed class ExpiryAndSnapshotTests
{
    [Fact]
    public void Scanner_lists_containers_that_had_children_and_expired_childless_ttl_nodes()
    {
        var f = new CoreFixture();
        f.Run(CoreFixture.Create("/never", mode: CreateMode.Container));
        f.Run(CoreFixture.Create("/used", mode: CreateMode.Container));
        f.Run(CoreFixture.Create("/used/c"));
        f.Run(new DeleteRequest("/used/c"));
        f.Run(CoreFixture.Create("/busy", mode: CreateMode.Container));
        f.Run(CoreFixture.Create("/busy/c"));
        f.Run(CoreFixture.Create("/ttl", mode: CreateMode.PersistentWithTtl, ttl: 100));
        f.Run(CoreFixture.Create("/ttlparent", mode: CreateMode.PersistentWithTtl, ttl: 100));
        f.Run(CoreFixture.Create("/ttlparent/c"));
        var ttlMtime = f.Tree.Exists("/ttl", AuthInfo.Anonymous)!.Value.Mtime;

        Assert.Equal(["/used"], ExpiryScanner.Scan(f.Tree, ttlMtime + 100).Select(e => e.Path));
        Assert.Equal(["/ttl", "/used"], ExpiryScanner.Scan(f.Tree, ttlMtime + 101).Select(e => e.Path));
    }

    [Fact]
    public void Container_and_ttl_deletion_is_conditional_so_racing_writes_win_or_lose_cleanly()
    {
        var f = new CoreFixture();
        f.Run(CoreFixture.Create("/c", mode: CreateMode.Container));
        f.Run(CoreFixture.Create("/c/x"));
        f.Run(new DeleteRequest("/c/x"));
        var expired = ExpiryScanner.Scan(f.Tree, f.Clock).Single();

        // A child created after the scan wins: the deletion fails NotEmpty.
        f.Run(CoreFixture.Create("/c/y"));
        Assert.Equal(ZkErrorCode.NotEmpty, f.Run(expired.ToRequest()).Code);
        f.Run(new DeleteRequest("/c/y"));
        // A deletion prepared first wins: the racing create then fails NoNode.
        var delete = f.Prepare(ExpiryScanner.Scan(f.Tree, f.Clock).Single().ToRequest());
        var create = f.Prepare(CoreFixture.Create("/c/z"));
        Assert.Equal(ZkErrorCode.Ok, f.Tree.Apply(delete).Code);
        Assert.Equal(ZkErrorCode.NoNode, f.Tree.Apply(create).Code);

        // A TTL node written after the scan is renewed: the deletion fails BadVersion.
        f.Run(CoreFixture.Create("/t", mode: CreateMode.PersistentWithTtl, ttl: 5));
        f.Clock += 100;
        var ttl = ExpiryScanner.Scan(f.Tree, f.Clock).Single();
        f.Run(new SetDataRequest("/t", [1]));
        Assert.Equal(ZkErrorCode.BadVersion, f.Run(ttl.ToRequest()).Code);
        // A persistent node is never deleted this way.
        f.Run(CoreFixture.Create("/p"));
        Assert.Equal(ZkErrorCode.BadVersion, f.Run(new DeleteContainerRequest("/p", f.Tree.Exists("/p", AuthInfo.Anonymous)!.Value.Mzxid, 0)).Code);
    }

    [Fact]
    public void Ttl_nodes_can_be_switched_off()
    {
        var f = new CoreFixture(new PreparerOptions { TtlEnabled = false });
        Assert.Equal(ZkErrorCode.Unimplemented, f.Run(CoreFixture.Create("/t", mode: CreateMode.PersistentWithTtl, ttl: 5)).Code);
    }

    [Fact]
    public void A_damaged_snapshot_is_refused_with_a_clear_error()
    {
        var f = new CoreFixture();
        for (var i = 0; i < 50; i++) f.Run(CoreFixture.Create("/n" + i, "data" + i));
        var stream = new MemoryStream();
        var info = f.Tree.WriteSnapshot(stream);
        var bytes = stream.ToArray();
        Assert.Equal(bytes.Length, info.Bytes);
        Assert.Equal(54, info.NodeCount);

        var flipped = (byte[])bytes.Clone();
        flipped[bytes.Length / 2] ^= 0x40;
        Assert.Throws<InvalidDataException>(() => DataTree.LoadSnapshot(new MemoryStream(flipped)));
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => DataTree.LoadSnapshot(new MemoryStream(bytes[..^10]))).Message);
        var badMagic = (byte[])bytes.Clone();
        badMagic[0] = (byte)'X';
        Assert.Contains("magic", Assert.Throws<InvalidDataException>(() => DataTree.LoadSnapshot(new MemoryStream(badMagic))).Message);
        var badVersion = (byte[])bytes.Clone();
        badVersion[8] = 99;
        Assert.Contains("version", Assert.Throws<InvalidDataException>(() => DataTree.LoadSnapshot(new MemoryStream(badVersion))).Message);

        var loaded = DataTree.LoadSnapshot(new MemoryStream(bytes));
        Assert.Equal(f.Tree.ComputeDigest(), loaded.ComputeDigest());
        Assert.Equal(TreeDump.Of(f.Tree), TreeDump.Of(loaded));
    }

    [Fact]
    public void Only_one_snapshot_runs_at_a_time()
    {
        var tree = new DataTree();
        var w = tree.BeginSnapshot(new MemoryStream());
        Assert.Throws<InvalidOperationException>(() => tree.BeginSnapshot(new MemoryStream()));
        while (!w.WriteSome(1)) { }
        tree.WriteSnapshot(new MemoryStream());
    }
}

public sealed class SnapshotAbortTests
{
    [Fact]
    public void An_aborted_snapshot_frees_the_tree_and_its_partial_output_is_refused()
    {
        var f = new CoreFixture();
        for (var i = 0; i < 20; i++) f.Run(CoreFixture.Create("/n" + i));
        var partial = new MemoryStream();
        var w = f.Tree.BeginSnapshot(partial);
        w.WriteSome(3);
        w.Abort();
        Assert.Throws<InvalidOperationException>(() => w.WriteSome(1));
        f.Run(new SetDataRequest("/n1", [1])); // no capture into the aborted snapshot
        Assert.Throws<InvalidDataException>(() => DataTree.LoadSnapshot(new MemoryStream(partial.ToArray())));
        var full = new MemoryStream();
        f.Tree.WriteSnapshot(full);
        full.Position = 0;
        Assert.Equal(f.Tree.ComputeDigest(), DataTree.LoadSnapshot(full).ComputeDigest());
    }
}
