using OrleansZk.Core;

namespace OrleansZk.Service.Tests;

/// <summary>getACL, setACL, addauth and ACL enforcement.</summary>
public sealed class AclTests(ClusterFixture fixture) : ClusterTest(fixture)
{
    private static readonly ZkId Alice = new("digest", AclRules.GenerateDigest("alice:secret"));

    [Fact]
    public async Task A_node_created_without_an_acl_is_open_to_anyone()
    {
        await Zk.CreateAsync(P("open"), null);
        var acl = await Zk.GetAclAsync(P("open"));
        Assert.Equal(new[] { Acl.OpenUnsafe }, acl.Acl);
        Assert.Equal(0, acl.Stat.Aversion);
    }

    [Fact]
    public async Task SetAcl_honours_the_acl_version()
    {
        var readAdmin = new Acl(Perms.Read | Perms.Admin, ZkId.Anyone);
        await Zk.CreateAsync(P("n"), null);
        var stat = await Zk.SetAclAsync(P("n"), [readAdmin], 0);
        Assert.Equal(1, stat.Aversion);
        await Assert.ThrowsAsync<BadVersionException>(() => Zk.SetAclAsync(P("n"), [Acl.OpenUnsafe], 0));

        var acl = await Zk.GetAclAsync(P("n"));
        Assert.Equal(new[] { readAdmin }, acl.Acl);
        Assert.Equal(1, acl.Stat.Aversion);
        // No WRITE: setData is refused; without ADMIN, so is the next setACL.
        await Assert.ThrowsAsync<NoAuthException>(() => Zk.SetDataAsync(P("n"), Bytes("no")));
        await Zk.SetAclAsync(P("n"), [Acl.ReadUnsafe], 1);
        await Assert.ThrowsAsync<NoAuthException>(() => Zk.SetAclAsync(P("n"), [Acl.OpenUnsafe]));
    }

    [Fact]
    public async Task A_digest_acl_admits_only_the_authenticated_user()
    {
        await Zk.CreateAsync(P("secret"), Bytes("s"), [new Acl(Perms.All, Alice)]);

        var stranger = NewClient();
        var e = await Assert.ThrowsAsync<NoAuthException>(() => stranger.GetDataAsync(P("secret")));
        Assert.Equal(ZkErrorCode.NoAuth, e.Code);
        await Assert.ThrowsAsync<NoAuthException>(() => stranger.SetDataAsync(P("secret"), Bytes("x")));
        await Assert.ThrowsAsync<NoAuthException>(() => stranger.CreateAsync(P("secret/child"), null));
        await Assert.ThrowsAsync<NoAuthException>(() => stranger.GetChildrenAsync(P("secret")));

        await stranger.AddAuthAsync("digest", Bytes("mallory:secret"));
        await Assert.ThrowsAsync<NoAuthException>(() => stranger.GetDataAsync(P("secret")));

        var alice = NewClient();
        await alice.AddAuthAsync("digest", Bytes("alice:secret"));
        Assert.Equal("s", Text((await alice.GetDataAsync(P("secret"))).Data));
        await alice.SetDataAsync(P("secret"), Bytes("t"));
        await alice.CreateAsync(P("secret/child"), null);
    }

    [Fact]
    public async Task A_read_called_right_after_addauth_is_ordered_after_it()
    {
        await Zk.CreateAsync(P("secret"), Bytes("s"), [new Acl(Perms.All, Alice)]);
        var alice = NewClient();
        await alice.ConnectAsync();

        // Nothing is awaited before the next call: the read and the write must still carry the new identity.
        var auth = alice.AddAuthAsync("digest", Bytes("alice:secret"));
        var read = alice.GetDataAsync(P("secret"));
        var write = alice.SetDataAsync(P("secret"), Bytes("t"));
        await auth;
        Assert.NotNull((await read).Data);
        Assert.Equal(1, (await write).Version);
    }

    [Fact]
    public async Task The_auth_scheme_stands_for_the_callers_identities()
    {
        var alice = NewClient();
        await alice.AddAuthAsync("digest", Bytes("alice:secret"));
        await alice.CreateAsync(P("mine"), null, [new Acl(Perms.All, new ZkId("auth", ""))]);

        Assert.Equal(new[] { new Acl(Perms.All, Alice) }, (await alice.GetAclAsync(P("mine"))).Acl);
        await Assert.ThrowsAsync<NoAuthException>(() => Zk.GetDataAsync(P("mine")));
    }

    [Fact]
    public async Task The_auth_scheme_without_an_identity_is_an_invalid_acl()
    {
        await Assert.ThrowsAsync<InvalidAclException>(() => Zk.CreateAsync(P("x"), null, [new Acl(Perms.All, new ZkId("auth", ""))]));
        Assert.Null(await Zk.ExistsAsync(P("x")));
    }

    [Fact]
    public async Task Addauth_with_an_unknown_scheme_fails()
    {
        var e = await Assert.ThrowsAsync<AuthFailedException>(() => Zk.AddAuthAsync("kerberos", Bytes("who")));
        Assert.Equal(ZkErrorCode.AuthFailed, e.Code);
        // The session carries on.
        Assert.NotNull(await Zk.ExistsAsync(Root));
    }
}
