namespace OrleansZk.Core.Tests;

public sealed class PreparationTests
{
    [Fact]
    public void A_pipeline_of_dependent_writes_prepared_before_any_apply_succeeds()
    {
        var f = new CoreFixture();
        var txns = new[]
        {
            f.Prepare(CoreFixture.Create("/a")),
            f.Prepare(CoreFixture.Create("/a/b")),
            f.Prepare(CoreFixture.Create("/a/b/s-", mode: CreateMode.PersistentSequential)),
            f.Prepare(CoreFixture.Create("/a/b/s-", mode: CreateMode.PersistentSequential)),
            f.Prepare(new SetDataRequest("/a", [1], 0)),
            f.Prepare(new SetDataRequest("/a", [2], 1)),
            f.Prepare(new DeleteRequest("/a/b/s-0000000000", 0)),
            f.Prepare(new DeleteRequest("/a", -1)),
        };
        Assert.All(txns[..7], t => Assert.IsNotType<ErrorTxn>(t.Body));
        Assert.Equal(ZkErrorCode.NotEmpty, Assert.IsType<ErrorTxn>(txns[7].Body).Code);
        Assert.Equal("/a/b/s-0000000001", ((CreateTxn)txns[3].Body).Path);
        foreach (var t in txns) Assert.Equal(ZkErrorCode.Ok == (t.Body is ErrorTxn e ? e.Code : ZkErrorCode.Ok), f.Tree.Apply(t).Code == ZkErrorCode.Ok);
        Assert.Equal(2, f.Tree.GetData("/a", AuthInfo.Anonymous).Stat.Version);
        Assert.Equal(0, f.Preparer.PendingCount);
    }

    [Fact]
    public void Every_write_consumes_one_zxid_and_fixes_time_and_versions()
    {
        var f = new CoreFixture();
        var t1 = f.Prepare(CoreFixture.Create("/n", "x"));
        var t2 = f.Prepare(CoreFixture.Create("/n", "x")); // fails: NodeExists, still a zxid
        var t3 = f.Prepare(new SetDataRequest("/n", "x"u8.ToArray()));
        Assert.Equal([1L, 2L, 3L], new[] { t1.Zxid, t2.Zxid, t3.Zxid });
        Assert.Equal(ZkErrorCode.NodeExists, ((ErrorTxn)t2.Body).Code);
        Assert.Equal(1, ((SetDataTxn)t3.Body).Version);
        f.Tree.Apply(t1);
        f.Tree.Apply(t2);
        var r = f.Tree.Apply(t3);
        var stat = r.Result.Stat!.Value;
        // Identical bytes still bump version and mzxid, and mtime moves to the txn's time.
        Assert.Equal((1, 3L, t1.TimeMs, t3.TimeMs), (stat.Version, stat.Mzxid, stat.Ctime, stat.Mtime));
        Assert.Equal(3, f.Tree.LastZxid);
    }

    [Fact]
    public void Null_data_stays_distinct_from_empty_data()
    {
        var f = new CoreFixture();
        f.Run(CoreFixture.Create("/null", null));
        f.Run(CoreFixture.Create("/empty", ""));
        Assert.Null(f.Tree.GetData("/null", AuthInfo.Anonymous).Data);
        Assert.NotNull(f.Tree.GetData("/empty", AuthInfo.Anonymous).Data);
        var stream = new MemoryStream();
        f.Tree.WriteSnapshot(stream);
        stream.Position = 0;
        var loaded = DataTree.LoadSnapshot(stream);
        Assert.Null(loaded.GetData("/null", AuthInfo.Anonymous).Data);
        Assert.Empty(loaded.GetData("/empty", AuthInfo.Anonymous).Data!);
    }

    [Fact]
    public void Oversized_requests_are_a_clear_error_that_consumes_no_zxid_and_the_limit_is_configurable()
    {
        var f = new CoreFixture(new PreparerOptions { MaxRequestBytes = 1000 });
        var big = new CreateRequest("/big", new byte[1000], AclList.OpenUnsafe, CreateMode.Persistent);
        var e = Assert.Throws<RequestTooLargeException>(() => f.Prepare(big));
        Assert.Equal(ZkErrorCode.BadArguments, e.Code);
        Assert.Equal("/big", e.Path);
        Assert.Contains("1000 bytes", e.Message);
        Assert.Equal(0, f.Preparer.LastZxid);
        // 47 + path + data bytes is exactly jute's count for a create with world:anyone.
        var fits = new CreateRequest("/big", new byte[1000 - 47 - 4], AclList.OpenUnsafe, CreateMode.Persistent);
        Assert.Equal(ZkErrorCode.Ok, f.Run(fits).Code);
        Assert.Equal(1000, RequestSize.Of(fits));
    }

    [Fact]
    public void A_closing_session_cannot_gain_an_ephemeral_and_takes_the_prepared_ones_with_it()
    {
        var f = new CoreFixture();
        var s = f.OpenSession();
        var early = f.Prepare(CoreFixture.Create("/e1", mode: CreateMode.Ephemeral), s);
        var close = f.Prepare(new CloseSessionRequest(), s);
        var late = f.Prepare(CoreFixture.Create("/e2", mode: CreateMode.Ephemeral), s);
        Assert.Equal(["/e1"], ((CloseSessionTxn)close.Body).PathsToDelete);
        Assert.Equal(ZkErrorCode.SessionExpired, ((ErrorTxn)late.Body).Code);
        f.Tree.Apply(early);
        var closed = f.Tree.Apply(close);
        f.Tree.Apply(late);
        Assert.Null(f.Tree.Exists("/e1", AuthInfo.Anonymous));
        Assert.Null(f.Tree.Exists("/e2", AuthInfo.Anonymous));
        Assert.Contains(new WatchTrigger(WatchEventType.NodeDeleted, "/e1"), closed.Triggers);
        Assert.False(f.Tree.Sessions.ContainsKey(s));
        Assert.Equal(ZkErrorCode.SessionExpired, f.Run(CoreFixture.Create("/p"), s).Code);
    }

    [Fact]
    public void Ip_acls_match_only_a_verified_address()
    {
        var f = new CoreFixture();
        var acl = new AclList([new Acl(Perms.All, new ZkId("ip", "10.1.0.0/16"))]);
        f.Run(CoreFixture.Create("/ip", "x", acl: acl));
        Assert.Throws<ZkException>(() => f.Tree.GetData("/ip", AuthInfo.Anonymous));
        Assert.Throws<ZkException>(() => f.Tree.GetData("/ip", AuthInfo.Anonymous.WithAddress("10.2.0.1")));
        Assert.Equal("x"u8.ToArray(), f.Tree.GetData("/ip", AuthInfo.Anonymous.WithAddress("10.1.200.3")).Data);
        Assert.Equal(ZkErrorCode.NoAuth, f.Run(new SetDataRequest("/ip", [1]), 0, AuthInfo.Anonymous).Code);
        Assert.Equal(ZkErrorCode.Ok, f.Run(new SetDataRequest("/ip", [1]), 0, AuthInfo.Anonymous.WithAddress("10.1.0.9")).Code);
        Assert.True(IpMatcher.Matches("fe80::1", "fe80::/64"));
        Assert.False(IpMatcher.IsValid("10.0.0.256"));
        Assert.False(IpMatcher.IsValid("10.0.0.0/33"));
    }

    [Fact]
    public void Digest_ids_are_zookeepers_sha1_base64_form()
    {
        // The value ZooKeeper's DigestAuthenticationProvider prints for alice:secret (recorded in the conformance data).
        Assert.Equal("alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=", AclRules.GenerateDigest("alice:secret"));
        // Without a colon the whole value is the user name (recorded: 33-addauth-colons).
        Assert.Equal(new ZkId("digest", "carol:KLkrVu5kuS67cthl8XLvAMcI34M="), AuthInfo.Anonymous.AddDigest("carol").Ids.Single());
    }

    [Fact]
    public void Error_codes_have_zookeepers_numbers()
    {
        Assert.Equal(
            [0, -1, -2, -4, -8, -101, -102, -103, -108, -110, -111, -112, -114, -115, -121],
            new[]
            {
                ZkErrorCode.Ok, ZkErrorCode.SystemError, ZkErrorCode.RuntimeInconsistency, ZkErrorCode.ConnectionLoss,
                ZkErrorCode.BadArguments, ZkErrorCode.NoNode, ZkErrorCode.NoAuth, ZkErrorCode.BadVersion,
                ZkErrorCode.NoChildrenForEphemerals, ZkErrorCode.NodeExists, ZkErrorCode.NotEmpty, ZkErrorCode.SessionExpired,
                ZkErrorCode.InvalidAcl, ZkErrorCode.AuthFailed, ZkErrorCode.NoWatcher,
            }.Select(c => (int)c));
        var e = new ZkException(ZkErrorCode.NoNode, "/a");
        Assert.Equal("KeeperErrorCode = NoNode for /a", e.Message);
    }

    [Fact]
    public void Apply_reports_zookeepers_watch_triggers()
    {
        var f = new CoreFixture();
        Assert.Equal(
            [new(WatchEventType.NodeCreated, "/a"), new(WatchEventType.NodeChildrenChanged, "/")],
            f.Run(CoreFixture.Create("/a")).Triggers);
        Assert.Equal([new WatchTrigger(WatchEventType.NodeDataChanged, "/a")], f.Run(new SetDataRequest("/a", [1])).Triggers);
        Assert.Empty(f.Run(new SetAclRequest("/a", AclList.OpenUnsafe)).Triggers);
        Assert.Empty(f.Run(new DeleteRequest("/nope")).Triggers);
        var multi = f.Run(new MultiRequest([CoreFixture.Create("/a/b"), new DeleteRequest("/a/b")]));
        Assert.Equal(4, multi.Triggers.Count);
        Assert.Equal(
            [new(WatchEventType.NodeDeleted, "/a"), new(WatchEventType.NodeChildrenChanged, "/")],
            f.Run(new DeleteRequest("/a")).Triggers);
    }

    [Fact]
    public void System_nodes_cannot_be_deleted_and_the_root_cannot_be_created()
    {
        var f = new CoreFixture();
        foreach (var p in new[] { "/zookeeper", "/zookeeper/quota", "/zookeeper/config" })
            Assert.Equal(ZkErrorCode.BadArguments, f.Run(new DeleteRequest(p)).Code);
        Assert.Equal(ZkErrorCode.BadArguments, f.Run(new DeleteRequest("/")).Code);
        Assert.NotEqual(ZkErrorCode.Ok, f.Run(CoreFixture.Create("/")).Code);
        Assert.Equal(ZkErrorCode.NoAuth, f.Run(new SetDataRequest(DataTree.ConfigPath, [1])).Code);
    }
}

public sealed class ChildSetTests
{
    [Fact]
    public void Behaves_as_a_set_through_growth_and_tombstones()
    {
        var set = new ChildSet();
        var model = new HashSet<string>();
        var rng = new Random(5);
        for (var i = 0; i < 20_000; i++)
        {
            var p = "/p/n" + rng.Next(3000);
            if (rng.Next(3) == 0) Assert.Equal(model.Remove(p), set.Remove(p));
            else Assert.Equal(model.Add(p), set.Add(p));
            Assert.Equal(model.Count, set.Count);
        }
        Assert.Equal(model.Order(StringComparer.Ordinal), set.Order(StringComparer.Ordinal));
        Assert.True(set.Capacity * 4 >= set.Count * 5);
    }
}

public sealed class MultiAndNamingTests
{
    [Fact]
    public void A_multi_from_an_expired_session_fails_op_by_op_like_zookeeper()
    {
        var f = new CoreFixture();
        var r = f.Run(new MultiRequest([CoreFixture.Create("/a"), new DeleteRequest("/b")]), session: 12345);
        Assert.Equal(ZkErrorCode.SessionExpired, r.Code);
        Assert.Equal([ZkErrorCode.SessionExpired, ZkErrorCode.RuntimeInconsistency], r.MultiResults!.Select(x => x.Code));
        Assert.Null(f.Tree.Exists("/a", AuthInfo.Anonymous));
    }

    [Fact]
    public void Sequence_suffixes_are_formatted_as_javas_percent_010d()
    {
        Assert.Equal("0000000000", RequestPreparer.SequenceSuffix(0));
        Assert.Equal("2147483647", RequestPreparer.SequenceSuffix(int.MaxValue));
        Assert.Equal("-000000001", RequestPreparer.SequenceSuffix(-1));
        Assert.Equal("-2147483648", RequestPreparer.SequenceSuffix(int.MinValue));
    }
}
