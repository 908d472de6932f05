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
    /// addauth digest: adds the id "digest:" + <see cref="AclRules.GenerateDigest"/>(credentials).
    /// Never refused, as ZooKeeper 3.8's digest provider: credentials without a colon are a user
    /// name with an empty password part ("carol" gives "carol:" + base64(sha1("carol"))). Adding an
    /// id the session holds returns this instance.
    /// </summary>
    public AuthInfo AddDigest(string credentials)
    {
        var id = new ZkId("digest", AclRules.GenerateDigest(credentials));
        return Ids.Contains(id) ? this : new AuthInfo([.. Ids, id], VerifiedAddress);
    }

    /// <summary>Adds credentials of a scheme: "digest" takes user:password; others are AuthFailed.</summary>
    public AuthInfo Add(string scheme, string credentials) => scheme switch
    {
        "digest" => AddDigest(credentials),
        _ => throw new ZkException(ZkErrorCode.AuthFailed, null, $"unknown authentication scheme \"{scheme}\""),
    };
}
