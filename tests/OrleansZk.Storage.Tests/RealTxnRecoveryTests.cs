using OrleansZk.Core;
using OrleansZk.Zab;

namespace OrleansZk.Storage.Tests;

/// <summary>
/// The standalone write path end to end, below the grains: requests prepared by the core, encoded
/// with <see cref="TxnCodec"/>, logged through group commit, applied, snapshotted while applies go
/// on; then the directory is reopened and recovery (newest snapshot + decoded log tail) must give
/// the live tree exactly.
/// </summary>
public sealed class RealTxnRecoveryTests : IDisposable
{
    private readonly TempDir _tmp = new();
    public void Dispose() => _tmp.Dispose();

    [Fact]
    public async Task Prepared_encoded_logged_and_snapshotted_txns_recover_to_the_live_tree()
    {
        var options = T.Options(_tmp.Path, forceSync: false, segmentBytes: 64 * 1024) with { SnapCount = 700, PurgeRetainCount = 2 };
        var live = new DataTree();
        var preparer = new RequestPreparer(live);
        var rng = new Random(3);
        var sessions = new List<long>();
        long clock = 1_700_000_000_000;
        var kinds = new HashSet<Type>();

        await using (var store = ReplicaStore.Open(options))
        {
            var log = store.OpenGroupCommit();
            TreeSnapshot? snapshot = null;
            for (var batch = 0; batch < 400; batch++)
            {
                // A pipelined batch: prepared together, logged with one group commit, then applied.
                var txns = new List<Txn>();
                for (var i = rng.Next(1, 8); i > 0; i--)
                {
                    var session = sessions.Count == 0 ? 0 : sessions[rng.Next(sessions.Count)];
                    var txn = preparer.Prepare(NextRequest(rng, sessions), new RequestContext(session, batch, clock += 5, AuthInfo.Anonymous), preparer.LastZxid + 1);
                    if (txn.Body is CreateSessionTxn cs) sessions.Add(cs.SessionId);
                    if (txn.Body is CloseSessionTxn cl) sessions.Remove(cl.SessionId);
                    kinds.Add(txn.Body.GetType());
                    txns.Add(txn);
                }
                await log.AppendAsync(txns.Select(t => new LogEntry(t.Zxid, TxnCodec.Encode(t))).ToList());
                foreach (var t in txns)
                {
                    live.Apply(t);
                    snapshot?.WriteSome(5);
                }
                if (snapshot is { Written: true })
                {
                    await snapshot.Committed;
                    snapshot = null;
                }
                if (store.NoteCommitted(txns.Count) && snapshot == null) snapshot = store.BeginSnapshot(live);
            }
            if (snapshot != null)
            {
                while (!snapshot.WriteSome(100)) { }
                await snapshot.Committed;
            }
        }

        Assert.True(kinds.Count >= 6, "workload covered only " + string.Join(",", kinds.Select(k => k.Name)));
        Assert.True(live.NodeCount > 20, $"the tree stayed tiny ({live.NodeCount} nodes)");
        await using var reopened = ReplicaStore.Open(options);
        var recovered = reopened.RecoverDataTree((tree, t) => tree.Apply(TxnCodec.Decode(t.Payload)));
        Assert.True(recovered.SnapshotZxid > 0, "recovery did not start from a snapshot");
        Assert.Equal(live.LastZxid, recovered.State.LastZxid);
        Assert.Equal(live.NodeCount, recovered.State.NodeCount);
        Assert.Equal(live.ComputeDigest(), recovered.State.ComputeDigest());
    }

    private static WriteRequest NextRequest(Random rng, List<long> sessions)
    {
        string Path() => rng.Next(4) == 0 ? "/a" + rng.Next(5) : "/a" + rng.Next(5) + "/b" + rng.Next(8);
        if (sessions.Count == 0 || rng.Next(20) == 0) return new CreateSessionRequest(5000, [1, 2]);
        return rng.Next(10) switch
        {
            0 => new CloseSessionRequest(),
            1 or 2 or 3 => new CreateRequest(Path(), [(byte)rng.Next(256)], AclList.OpenUnsafe, (CreateMode)rng.Next(7), rng.Next(7) >= 5 ? 1000 : -1),
            4 => new DeleteRequest(Path()),
            5 or 6 => new SetDataRequest(Path(), rng.Next(3) == 0 ? null : [1, 2, 3]),
            7 => new SetAclRequest(Path(), AclList.OpenUnsafe),
            _ => new MultiRequest([new CreateRequest(Path(), null, AclList.OpenUnsafe, CreateMode.Persistent), new SetDataRequest(Path(), [9])]),
        };
    }
}
