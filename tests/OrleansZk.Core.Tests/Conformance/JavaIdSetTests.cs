namespace OrleansZk.Core.Tests.Conformance;

/// <summary>
/// <see cref="JavaIdSet"/> against the JVM: every case of Conformance/expected/jvm-id-set-order.txt
/// (recorded by recorder/IdSetOrder.java from ZooKeeper's own Id class and a ConcurrentHashMap-backed
/// set, as its server keeps a connection's identities) must iterate in the recorded order.
/// </summary>
public sealed class JavaIdSetTests
{
    private static readonly string Recorded = Path.Combine(AppContext.BaseDirectory, "Conformance", "expected", "jvm-id-set-order.txt");

    [Fact]
    public void Iteration_order_is_the_JVMs_for_every_recorded_case()
    {
        var cases = File.ReadAllLines(Recorded).Where(l => !l.StartsWith('#')).ToList();
        Assert.True(cases.Count >= 90, $"only {cases.Count} cases in {Recorded}");
        var maxBins = 0;
        var withTreeBins = 0;
        var mismatches = new List<string>();
        foreach (var (line, i) in cases.Select((l, i) => (l, i)))
        {
            var halves = line.Split(" => ");
            var set = new JavaIdSet();
            foreach (var id in Ids(halves[0])) set.Add(id);
            var order = string.Join(" ", set.InIterationOrder().Select(id => id.Scheme + ":" + id.Id));
            if (order != halves[1]) mismatches.Add($"case {i + 1}:\n  jvm:  {halves[1]}\n  ours: {order}");
            maxBins = Math.Max(maxBins, set.Shape.Bins);
            if (set.Shape.TreeBins > 0) withTreeBins++;
        }
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {cases.Count} orders differ:\n" + string.Join("\n", mismatches.Take(5)));
        // The cases must reach the paths that matter: several resizes, and tree bins.
        Assert.True(maxBins >= 256, $"the largest table had {maxBins} bins");
        Assert.True(withTreeBins >= 5, $"only {withTreeBins} cases ended with a tree bin");
    }

    [Fact]
    public void Hashes_are_javas()
    {
        Assert.Equal(0, JavaIdSet.JavaStringHash(""));
        Assert.Equal(96354, JavaIdSet.JavaStringHash("abc"));
        Assert.Equal(JavaIdSet.JavaStringHash("Aa"), JavaIdSet.JavaStringHash("BB"));
        // Values printed by Java 17 ("...".hashCode()).
        Assert.Equal(-2_062_273_985, JavaIdSet.JavaStringHash("the quick brown fox jumps over it"));
        Assert.Equal(802_482_198, JavaIdSet.JavaStringHash("\u65e5\u672c:\u00e9"));
        Assert.Equal(unchecked(37 * (37 * 17 + JavaIdSet.JavaStringHash("ip")) + JavaIdSet.JavaStringHash("127.0.0.1")),
            JavaIdSet.JavaIdHash(new ZkId("ip", "127.0.0.1")));
    }

    [Fact]
    public void A_clone_changes_independently()
    {
        var a = new JavaIdSet();
        a.Add(new ZkId("digest", "a:1"));
        var b = a.Clone();
        Assert.True(b.Add(new ZkId("digest", "b:2")));
        Assert.False(b.Add(new ZkId("digest", "a:1")));
        Assert.Equal(1, a.Count);
        Assert.Equal(2, b.Count);
    }

    [Fact]
    public void Auth_expands_in_the_servers_order_with_the_connection_address_first_in_the_set()
    {
        // Recorded in 34-auth-expansion-order: alice then bob list bob first.
        var auth = AuthInfo.Anonymous.WithAddress("127.0.0.1").AddDigest("alice:pw-alice").AddDigest("bob:pw-bob");
        var acl = AclRules.Fixup("/x", [new Acl(Perms.All, new ZkId("auth", ""))], auth);
        Assert.Equal(["bob", "alice"], acl.Select(a => a.Id.Id.Split(':')[0]));
        Assert.Equal(["alice", "bob"], auth.Ids.Select(id => id.Id.Split(':')[0]));
    }

    [Fact]
    public void Without_the_connections_ip_id_the_order_holds_up_to_ten_identities()
    {
        // The service has no client address, so its set lacks ZooKeeper's ip id: the two agree while
        // that id triggers no resize (the 12th id does), and differ from then on (docs/conformance.md).
        string[] names = ["carol:c", "dave:d", "erin:e", "frank:f", "grace:g", "heidi:h", "ivan:i", "judy:j", "mallory:m", "niaj:n", "olivia:o"];
        var withIp = AuthInfo.Anonymous.WithAddress("127.0.0.1");
        var without = AuthInfo.Anonymous;
        for (var i = 0; i < names.Length; i++)
        {
            withIp = withIp.AddDigest(names[i]);
            without = without.AddDigest(names[i]);
            var zooKeeper = withIp.ServerOrder.Where(id => id.Scheme == "digest");
            if (i < 10) Assert.Equal(zooKeeper, without.ServerOrder);
            else Assert.NotEqual(zooKeeper, without.ServerOrder);
        }
    }

    private static IEnumerable<ZkId> Ids(string text) =>
        text.Split(' ').Select(s => new ZkId(s[..s.IndexOf(':')], s[(s.IndexOf(':') + 1)..]));
}
