namespace OrleansZk.Core.Tests;

public sealed class TxnCodecTests
{
    [Fact]
    public void Every_txn_of_a_random_workload_round_trips_and_replaying_decoded_txns_gives_the_same_tree()
    {
        var work = new RandomWorkload(11);
        var preparer = new RequestPreparer(work.Tree);
        var replica = new DataTree();
        var kinds = new HashSet<Type>();
        for (var ops = 0; ops < 5000;)
        {
            foreach (var txn in work.NextBatch(preparer))
            {
                ops++;
                var bytes = TxnCodec.Encode(txn);
                var decoded = TxnCodec.Decode(bytes);
                Assert.Equal(bytes, TxnCodec.Encode(decoded));
                kinds.Add(txn.Body.GetType());
                work.Tree.Apply(txn);
                replica.Apply(decoded);
            }
        }
        Assert.True(kinds.Count >= 8, "workload covered only " + string.Join(",", kinds.Select(k => k.Name)));
        Assert.Equal(work.Tree.ComputeDigest(), replica.ComputeDigest());
        Assert.Equal(TreeDump.Of(work.Tree), TreeDump.Of(replica));
    }

    [Fact]
    public void Null_and_empty_data_and_every_field_survive()
    {
        var acl = new AclList([new Acl(Perms.Read | Perms.Admin, new ZkId("digest", "u:h=")), Acl.OpenUnsafe]);
        var txn = new Txn(0x0000000500000007, 1234, 99, -3, new MultiTxn(
        [
            new CreateTxn("/a/é", null, acl, EphemeralOwners.ForTtl(5), 7),
            new CreateTxn("/b", [], AclList.OpenUnsafe, EphemeralOwners.Container, 1),
            new SetDataTxn("/b", [0, 255], 3),
            new ErrorTxn(ZkErrorCode.RuntimeInconsistency),
        ]));
        var back = TxnCodec.Decode(TxnCodec.Encode(txn));
        var ops = ((MultiTxn)back.Body).Ops;
        Assert.Equal((txn.Zxid, txn.TimeMs, txn.SessionId, txn.Xid), (back.Zxid, back.TimeMs, back.SessionId, back.Xid));
        var c = (CreateTxn)ops[0];
        Assert.Null(c.Data);
        Assert.Equal("/a/é", c.Path);
        Assert.Equal(acl, c.Acl);
        Assert.Equal(EphemeralOwners.ForTtl(5), c.EphemeralOwner);
        Assert.NotNull(((CreateTxn)ops[1]).Data);
        Assert.Empty(((CreateTxn)ops[1]).Data!);
        Assert.Equal(new byte[] { 0, 255 }, ((SetDataTxn)ops[2]).Data);
        Assert.Equal(ZkErrorCode.RuntimeInconsistency, ((ErrorTxn)ops[3]).Code);
    }

    [Fact]
    public void Damaged_bytes_are_refused_with_a_clear_error()
    {
        var bytes = TxnCodec.Encode(new Txn(1, 2, 3, 4, new CreateTxn("/a", [1, 2, 3], AclList.OpenUnsafe, 0, 1)));
        for (var cut = 0; cut < bytes.Length; cut++)
            Assert.Throws<InvalidDataException>(() => TxnCodec.Decode(bytes.AsSpan(0, cut)));
        Assert.Throws<InvalidDataException>(() => TxnCodec.Decode([.. bytes, 0]));
        var badVersion = (byte[])bytes.Clone();
        badVersion[0] = 9;
        Assert.Contains("version", Assert.Throws<InvalidDataException>(() => TxnCodec.Decode(badVersion)).Message);
    }

    [Fact]
    public void Acl_ids_that_utf8_cannot_carry_are_invalid_acls()
    {
        var f = new CoreFixture();
        var lone = new AclList([new Acl(Perms.All, new ZkId("digest", "u\uD800:x"))]);
        Assert.Equal(ZkErrorCode.InvalidAcl, f.Run(CoreFixture.Create("/a", acl: lone)).Code);
        var pair = new AclList([new Acl(Perms.All, new ZkId("digest", "u\uD83D\uDE00:x"))]);
        Assert.Equal(ZkErrorCode.Ok, f.Run(CoreFixture.Create("/b", acl: pair)).Code);
    }
}
