using System.Text;

namespace OrleansZk.Core.Tests;

/// <summary>
/// A seeded stream of random client requests over a small namespace — every node kind, sessions
/// opening and closing, multis, ACL changes, and a share of requests that fail — prepared in
/// pipelined batches (several prepared before any is applied) so pending-change logic is exercised.
/// </summary>
internal sealed class RandomWorkload(int seed)
{
    private readonly Random _rng = new(seed);
    private readonly List<long> _sessions = [];
    private long _clock = 1_700_000_000_000;
    private int _xid;

    public DataTree Tree { get; } = new();

    /// <summary>Prepares a batch of 1–8 requests against the live tree (pipelined), returning their txns in order; the caller applies them.</summary>
    public List<Txn> NextBatch(RequestPreparer preparer)
    {
        var txns = new List<Txn>();
        var n = _rng.Next(1, 9);
        for (var i = 0; i < n; i++)
        {
            var (request, session) = NextRequest();
            _clock += _rng.Next(0, 50);
            var txn = preparer.Prepare(request, new RequestContext(session, ++_xid, _clock, AuthInfo.Anonymous));
            if (txn.Body is CreateSessionTxn cs) _sessions.Add(cs.SessionId);
            if (txn.Body is CloseSessionTxn cl) _sessions.Remove(cl.SessionId);
            txns.Add(txn);
        }
        return txns;
    }

    private (WriteRequest, long) NextRequest()
    {
        var session = _sessions.Count == 0 ? 0 : _sessions[_rng.Next(_sessions.Count)];
        var roll = _rng.Next(100);
        if (roll < 4 || _sessions.Count == 0) return (new CreateSessionRequest(_rng.Next(2000, 20000), [(byte)_rng.Next(256), 7]), 0);
        if (roll < 6) return (new CloseSessionRequest(), session);
        if (roll < 40) return (RandomCreate(), session);
        if (roll < 55) return (new DeleteRequest(RandomPath(), _rng.Next(4) == 0 ? _rng.Next(3) : -1), session);
        if (roll < 75) return (new SetDataRequest(RandomPath(), RandomData(), _rng.Next(5) == 0 ? _rng.Next(3) : -1), session);
        if (roll < 80) return (new SetAclRequest(RandomPath(), RandomAcl(), -1), session);
        if (roll < 83) return (new DeleteContainerRequest(RandomPath(), 0, 0), 0);
        var ops = new List<WriteRequest>();
        for (var i = _rng.Next(0, 5); i > 0; i--)
        {
            ops.Add(_rng.Next(4) switch
            {
                0 => RandomCreate(),
                1 => new DeleteRequest(RandomPath()),
                2 => new SetDataRequest(RandomPath(), RandomData()),
                _ => new CheckRequest(RandomPath(), _rng.Next(3) - 1),
            });
        }
        return (new MultiRequest(ops), session);
    }

    private CreateRequest RandomCreate()
    {
        var mode = (CreateMode)_rng.Next(7);
        var ttl = mode.IsTtl() ? _rng.Next(1, 5000) : -1;
        var path = RandomPath() is var parent && parent == "/" ? "/n" + _rng.Next(6) : RandomPath() + "/n" + _rng.Next(6);
        return new CreateRequest(path, RandomData(), RandomAcl(), mode, ttl);
    }

    private string RandomPath()
    {
        // Walk from the root through existing children, so most requests hit real nodes.
        var path = "/";
        var depth = _rng.Next(0, 4);
        for (var d = 0; d < depth; d++)
        {
            var kids = Tree.GetChildren(path, AuthInfo.Anonymous).Children;
            if (kids.Count == 0) break;
            var names = kids.Order(StringComparer.Ordinal).ToList();
            var name = names[_rng.Next(names.Count)];
            if (name == "zookeeper") break;
            path = ZkPath.Join(path, name);
        }
        return _rng.Next(10) == 0 ? ZkPath.Join(path, "x" + _rng.Next(3)) : path;
    }

    private byte[]? RandomData() => _rng.Next(6) switch
    {
        0 => null,
        1 => [],
        _ => Encoding.UTF8.GetBytes("v" + _rng.Next(1000)),
    };

    private AclList RandomAcl() => _rng.Next(8) switch
    {
        0 => new AclList([new Acl(Perms.Read | Perms.Write | Perms.Create | Perms.Delete, ZkId.Anyone)]),
        1 => new AclList([Acl.OpenUnsafe, new Acl(Perms.Read, new ZkId("ip", "10.0.0.0/8"))]),
        _ => AclList.OpenUnsafe,
    };
}
