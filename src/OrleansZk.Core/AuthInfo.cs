namespace OrleansZk.Core;

/// <summary>
/// Who is asking: the identities a session has proved (digest ids from addauth, "super"), and
/// the client's network address when the service has verified it (a ZooKeeper-protocol front end
/// does; a grain call does not). Immutable; adding credentials makes a new instance.
/// </summary>
public sealed class AuthInfo
{
    public static readonly AuthInfo Anonymous = new([], null);

    public AuthInfo(IReadOnlyList<ZkId> ids, string? verifiedAddress)
    {
        Ids = ids;
        VerifiedAddress = verifiedAddress;
    }

    /// <summary>Identities proved by the session, in the order they were added.</summary>
    public IReadOnlyList<ZkId> Ids { get; }

    /// <summary>The client's IP address as the server saw it, or null when not verified: then no ip ACL matches.</summary>
    public string? VerifiedAddress { get; }

    /// <summary>The ids ACL checks match against: the proved ids, plus ip:address when the address is verified.</summary>
    public IEnumerable<ZkId> EffectiveIds =>
        VerifiedAddress == null ? Ids : Ids.Prepend(new ZkId("ip", VerifiedAddress));

    public AuthInfo WithAddress(string? address) => new(Ids, address);

    /// <summary>
    /// addauth digest user:password: adds the id "digest:user:base64(sha1(user:password))". A
    /// credential without a colon fails with AuthFailed, as ZooKeeper's digest provider does.
    /// </summary>
    public AuthInfo AddDigest(string userColonPassword)
    {
        if (!userColonPassword.Contains(':'))
            throw new ZkException(ZkErrorCode.AuthFailed, null, "digest credentials must be user:password");
        var id = new ZkId("digest", AclRules.GenerateDigest(userColonPassword));
        return Ids.Contains(id) ? this : new AuthInfo([.. Ids, id], VerifiedAddress);
    }

    /// <summary>Adds credentials of a scheme: "digest" takes user:password; others are AuthFailed.</summary>
    public AuthInfo Add(string scheme, string credentials) => scheme switch
    {
        "digest" => AddDigest(credentials),
        _ => throw new ZkException(ZkErrorCode.AuthFailed, null, $"unknown authentication scheme \"{scheme}\""),
    };
}
