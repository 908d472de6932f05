using System.Text;
using OrleansZk.Core;

namespace OrleansZk.Conformance.Tests.Differential;

/// <summary>
/// Seeded random commands for one differential run below <c>root</c>: creates in every mode
/// (persistent, ephemeral, sequential, container, TTL) with every ACL scheme (valid and invalid
/// ids), deletes and sets with right and wrong versions, setACL, every read, sync, multis,
/// addauth with odd credentials, sessions opened and closed and calls on closed ones, reads and
/// refused writes of the system nodes, and what the clients refuse before sending. Paths come
/// from a small name pool, so
/// NodeExists, NoNode, NotEmpty, BadVersion, NoAuth and NoChildrenForEphemerals happen often. The
/// same seed and the same answers give the same commands (<see cref="Learn"/> feeds back the
/// names sequential creates got).
/// </summary>
/// <remarks>
/// Left out on purpose, as documented differences (docs/conformance.md): ip ACLs that would match
/// the ZooKeeper client's 127.0.0.1 (a grain call has no address); more than ten addauths in a
/// session (the server's identity set also holds the connection's ip id, which changes the
/// expansion order of auth once its table resizes); addauth on a closed session (the Java
/// client's addAuthInfo cannot report a failure); non-ASCII credentials (ZooKeeper decodes them
/// with its JVM's default charset).
/// </remarks>
internal sealed class CommandGenerator(int seed, string root)
{
    public const int MaxAuthsPerSession = 10;
    private const int MaxSessions = 4;

    private static readonly string[] Names = ["a", "b", "c", "d"];
    private static readonly string[] OddNames = ["\u00e9", "a b", "\u65e5\u672c", "zookeeper"];
    private static readonly string[] SystemPaths = ["/zookeeper", "/zookeeper/quota", "/zookeeper/config"];
    private static readonly string[] Credentials =
        ["alice:pw-alice", "bob:pw-bob", "carol", "carol:", "dave:x:y", ":", "", ":pw", "erin:e", "frank::", "gina:g"];
    private static readonly string[] OddDigestIds = ["a:b:", ":pw", "alice:", "a::b", ":", "x:y", "::", ":a:", "u:h:x"];
    private static readonly string[] IpIds = ["10.0.0.0/8", "192.168.1.7", "10.1.2.3/32", "999.0.0.1", "10.0.0.0/33", "localhost"];
    private static readonly string[] OtherIds = ["world:someone", "unknown:x", "super:x", "world:"];

    private readonly Random _random = new(seed);
    private readonly List<string> _open = [];
    private readonly List<string> _closed = [];
    private readonly Dictionary<string, int> _auths = [];
    private readonly List<string> _paths = [root];
    private int _nextSession = 1;
    private int _fresh;

    /// <summary>The first commands of every run: a session and the run's root node.</summary>
    public IEnumerable<Command> Start()
    {
        yield return Open();
        yield return new Write(_open[0], new CreateRequest(root, null, AclList.OpenUnsafe, CreateMode.Persistent));
    }

    /// <summary>The next command.</summary>
    public Command Next()
    {
        var session = _open[_random.Next(_open.Count)];
        var roll = _random.Next(100);
        return roll switch
        {
            < 28 => new Write(session, Create()),
            < 38 => new Write(session, new DeleteRequest(KnownPath(belowRoot: true), RandomVersion())),
            < 48 => new Write(session, new SetDataRequest(KnownPath(), RandomData(), RandomVersion())),
            < 53 => new Write(session, new SetAclRequest(KnownPath(belowRoot: true), RandomAcl(), RandomVersion())),
            < 70 => new Read(session, Pick(["get", "stat", "ls", "getacl", "count", "get", "ls"]), KnownPath()),
            < 71 => new Read(session, Pick(["get", "stat", "ls", "getacl", "count"]), Pick(SystemPaths)),
            < 72 => new Write(session, SystemWrite()),
            < 73 => Invalid(session),
            < 74 => new Read(session, "ephemerals", Pick(["/", root, root + "/a", root + "/", "", root + "/a b"])),
            < 76 => new Read(session, "sync", KnownPath()),
            < 86 => new Write(session, Multi()),
            < 91 when _auths.GetValueOrDefault(session) < MaxAuthsPerSession => Auth(session),
            < 95 when _open.Count < MaxSessions => Open(),
            < 98 when _open.Count > 1 => Close(session),
            < 99 when _closed.Count > 0 => OnClosedSession(Pick(_closed.ToArray())),
            _ => new Read(session, "ls", KnownPath()),
        };
    }

    /// <summary>Feeds back ZooKeeper's answer: created paths (with their sequential suffixes) join the pool.</summary>
    public void Learn(Command command, string answer)
    {
        if (command is not Write { Request: CreateRequest or MultiRequest }) return;
        foreach (var word in answer.Split([' ', ';', '[', ']'], StringSplitOptions.RemoveEmptyEntries))
            if (word.StartsWith(root + "/", StringComparison.Ordinal) && !_paths.Contains(word)) _paths.Add(word);
    }

    /// <summary>Commands that close every open session (the end of a run).</summary>
    public IEnumerable<Command> Finish() => _open.ToList().Select(Close);

    /// <summary>Writes ZooKeeper refuses on its system nodes (BadArguments, NoAuth): they change nothing that later runs see.</summary>
    private WriteRequest SystemWrite() => _random.Next(4) switch
    {
        0 => new DeleteRequest(Pick(SystemPaths), -1),
        1 => new SetDataRequest("/zookeeper/config", RandomData(), -1),
        2 => new CreateRequest("/zookeeper/config/x", null, AclList.OpenUnsafe, CreateMode.Persistent),
        _ => new SetAclRequest("/zookeeper/config", AclList.OpenUnsafe, -1),
    };

    /// <summary>What the clients refuse before sending (bad paths, TTLs, empty ACLs), and an empty ACL inside a multi, which the server refuses.</summary>
    private Command Invalid(string session)
    {
        var path = Pick([root + "/a/", root + "//a", root + "/.", "d", "", root + "/..", root + "/a\u0001"]);
        return _random.Next(7) switch
        {
            0 => new Read(session, Pick(["get", "stat", "ls", "sync", "ephemerals"]), path),
            1 => new Write(session, new CreateRequest(path, null, AclList.OpenUnsafe, CreateMode.Persistent)),
            2 => new Write(session, new CreateRequest(root + "/t", null, AclList.OpenUnsafe, Pick([CreateMode.PersistentWithTtl, CreateMode.PersistentSequentialWithTtl]), Pick(new long[] { 0, -5, 1L << 40 }))),
            3 => new Write(session, new CreateRequest(root + "/e", null, AclList.Empty, CreateMode.Persistent)),
            4 => new Write(session, new SetAclRequest(root, AclList.Empty, -1)),
            5 => new Write(session, new MultiRequest([new CheckRequest(root, -1), new CreateRequest(root + "/e", null, AclList.Empty, CreateMode.Persistent)])),
            _ => new Write(session, new MultiRequest([new SetDataRequest(path, null, -1)])),
        };
    }

    private Command Open()
    {
        var name = "s" + _nextSession++;
        _open.Add(name);
        return new OpenSession(name);
    }

    private Command Close(string session)
    {
        _open.Remove(session);
        _closed.Add(session);
        return new CloseSession(session);
    }

    /// <summary>A call on a closed session (the clients answer SessionExpired themselves; addauth is left out, see docs/conformance.md).</summary>
    private Command OnClosedSession(string session) => _random.Next(4) switch
    {
        0 => new Read(session, Pick(["get", "stat", "ls", "getacl", "count", "sync"]), KnownPath()),
        1 => new Write(session, Create()),
        2 => new Write(session, Multi()),
        _ => _random.Next(2) == 0 ? new CloseSession(session) : Invalid(session),
    };

    private Command Auth(string session)
    {
        _auths[session] = _auths.GetValueOrDefault(session) + 1;
        return new AddAuth(session, Pick(Credentials));
    }

    private CreateRequest Create(bool inMulti = false)
    {
        var roll = _random.Next(100);
        var mode = roll switch
        {
            < 40 => CreateMode.Persistent,
            < 52 => CreateMode.Ephemeral,
            < 62 => CreateMode.PersistentSequential,
            < 72 => CreateMode.EphemeralSequential,
            < 82 => CreateMode.Container,
            < 91 => CreateMode.PersistentWithTtl,
            _ => CreateMode.PersistentSequentialWithTtl,
        };
        var ttl = mode.IsTtl() ? Pick(new long[] { 1, 500, 60_000, 1_099_511_627_775 }) : -1;
        var acl = inMulti && _random.Next(3) > 0 ? AclList.OpenUnsafe : CreateAcl();
        return new CreateRequest(NewPath(mode.IsSequential()), RandomData(), acl, mode, ttl);
    }

    /// <summary>Random ops, or (one time in three) ops likely to succeed: fresh children of the root, the root set and checked.</summary>
    private MultiRequest Multi()
    {
        if (_random.Next(40) == 0) return new MultiRequest([]);
        var ops = new List<WriteRequest>();
        if (_random.Next(3) == 0)
        {
            for (var n = 1 + _random.Next(3); n > 0; n--)
            {
                ops.Add(_random.Next(3) switch
                {
                    0 => new CreateRequest(root + "/m" + _fresh++, RandomData(), AclList.OpenUnsafe, _random.Next(4) == 0 ? CreateMode.Ephemeral : CreateMode.Persistent),
                    1 => new SetDataRequest(root, RandomData(), -1),
                    _ => new CheckRequest(root, -1),
                });
            }
            return new MultiRequest(ops);
        }
        for (var n = 1 + _random.Next(4); n > 0; n--)
        {
            ops.Add(_random.Next(10) switch
            {
                < 4 => Create(inMulti: true),
                < 6 => new DeleteRequest(KnownPath(belowRoot: true), RandomVersion()),
                < 8 => new SetDataRequest(KnownPath(), RandomData(), RandomVersion()),
                _ => new CheckRequest(KnownPath(), RandomVersion()),
            });
        }
        return new MultiRequest(ops);
    }

    /// <summary>Mostly under a known node (or the root), sometimes under a missing parent; sequential prefixes may be empty.</summary>
    private string NewPath(bool sequential)
    {
        var parent = _random.Next(10) switch
        {
            0 => root + "/missing",
            < 4 => root,
            _ => KnownPath(),
        };
        if (parent.Count(c => c == '/') > 4) parent = root;
        var name = sequential ? Pick(["q-", "", "a"]) : _random.Next(15) == 0 ? Pick(OddNames) : Pick(Names);
        return parent + "/" + name;
    }

    /// <summary>
    /// A path the run has created (or tried to), sometimes one it never did. <paramref name="belowRoot"/>
    /// spares the root: deleting it, or an ACL that locks it, would end the run's interest.
    /// </summary>
    private string KnownPath(bool belowRoot = false)
    {
        if (_random.Next(12) == 0 || (belowRoot && _paths.Count == 1)) return root + "/" + Pick(Names) + "/" + Pick(Names);
        var first = belowRoot ? 1 : 0;
        return _paths[_random.Next(first, _paths.Count)];
    }

    private int RandomVersion() => _random.Next(20) switch
    {
        < 10 => -1,
        < 14 => 0,
        < 17 => 1,
        < 19 => 2,
        _ => -2,
    };

    private byte[]? RandomData() => _random.Next(20) switch
    {
        < 3 => null,
        < 6 => [],
        < 18 => Encoding.UTF8.GetBytes("v" + _random.Next(1000)),
        < 19 => Encoding.UTF8.GetBytes("\u00e9\u0001 \"q\""),
        _ => Encoding.UTF8.GetBytes(new string('x', 70)),
    };

    /// <summary>The default ACL half of the time, else a random one.</summary>
    private IReadOnlyList<Acl> CreateAcl() => _random.Next(2) == 0 ? AclList.OpenUnsafe : RandomAcl();

    /// <summary>One to three entries of any scheme, valid or not; usually with a world entry so that later commands still get through.</summary>
    private AclList RandomAcl()
    {
        var entries = new List<Acl>();
        if (_random.Next(3) > 0) entries.Add(new Acl(RandomPerms(), ZkId.Anyone));
        for (var n = _random.Next(entries.Count == 0 ? 1 : 0, 3); n > 0; n--)
        {
            var id = _random.Next(12) switch
            {
                < 3 => new ZkId("digest", AclRules.GenerateDigest(Pick(Credentials))),
                < 5 => new ZkId("digest", Pick(OddDigestIds)),
                < 8 => new ZkId("auth", _random.Next(4) == 0 ? "ignored" : ""),
                < 10 => new ZkId("ip", Pick(IpIds)),
                _ => Split(Pick(OtherIds)),
            };
            entries.Add(new Acl(RandomPerms(), id));
        }
        if (_random.Next(10) == 0) entries.Add(entries[_random.Next(entries.Count)]);
        return new AclList(entries);
    }

    private Perms RandomPerms() => _random.Next(12) == 0 ? Core.Perms.None : (Core.Perms)_random.Next(1, 32);

    private static ZkId Split(string schemeAndId) => new(schemeAndId[..schemeAndId.IndexOf(':')], schemeAndId[(schemeAndId.IndexOf(':') + 1)..]);

    private T Pick<T>(T[] items) => items[_random.Next(items.Length)];
}
