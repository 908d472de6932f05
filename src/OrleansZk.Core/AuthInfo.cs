namespace OrleansZk.Core;

/// <summary>
/// Who is asking: the identities a session has proved (digest ids from addauth, "super"), and
/// the client's network address when the service has verified it (a ZooKeeper-protocol front end
/// does; a grain call does not). Immutable; adding credentials makes a new instance.
/// </summary>
public sealed class AuthInfo
{
    public static readonly AuthInfo Anonymous = new([], null);

    /// <summary>The identities as ZooKeeper's server holds them: ip:address first (added when the connection opens), then each addauth.</summary>
    private readonly JavaIdSet _set;
    private ZkId[]? _serverOrder;

    public AuthInfo(IReadOnlyList<ZkId> ids, string? verifiedAddress)
        : this(ids, verifiedAddress, SetOf(ids, verifiedAddress))
    {
    }

    private AuthInfo(IReadOnlyList<ZkId> ids, string? verifiedAddress, JavaIdSet set)
    {
        Ids = ids;
        VerifiedAddress = verifiedAddress;
        _set = set;
    }

    /// <summary>Identities proved by the session, in the order they were added.</summary>
    public IReadOnlyList<ZkId> Ids { get; }

    /// <summary>The client's IP address as the server saw it, or null when not verified: then no ip ACL matches.</summary>
    public string? VerifiedAddress { get; }

    /// <summary>The ids ACL checks match against: the proved ids, plus ip:address when the address is verified.</summary>
    public IEnumerable<ZkId> EffectiveIds =>
        VerifiedAddress == null ? Ids : Ids.Prepend(new ZkId("ip", VerifiedAddress));

    /// <summary>
    /// The effective ids in the order ZooKeeper 3.8's server iterates a connection's identities
    /// (<see cref="JavaIdSet"/>): the order an <c>auth</c> ACL entry expands to. It depends on every
    /// id in the set, the ip id included, so a service without a verified address orders a
    /// session's ids as a ZooKeeper server would only while the ip id triggers no table resize
    /// (ten identities or fewer).
    /// </summary>
    public IReadOnlyList<ZkId> ServerOrder => _serverOrder ??= [.. _set.InIterationOrder()];

    public AuthInfo WithAddress(string? address) => new(Ids, address);

    /// <summary>
    /// addauth digest: adds the id "digest:" + <see cref="AclRules.GenerateDigest"/>(credentials).
    /// Never refused, as ZooKeeper 3.8's digest provider: credentials without a colon are a user
    /// name with an empty password part ("carol" gives "carol:" + base64(sha1("carol"))). Adding an
    /// id the session holds leaves <see cref="Ids"/> as it is.
    /// </summary>
    public AuthInfo AddDigest(string credentials)
    {
        var id = new ZkId("digest", AclRules.GenerateDigest(credentials));
        var set = _set.Clone();
        return set.Add(id) ? new AuthInfo([.. Ids, id], VerifiedAddress, set) : new AuthInfo(Ids, VerifiedAddress, set);
    }

    /// <summary>Adds credentials of a scheme: "digest" takes user:password; others are AuthFailed.</summary>
    public AuthInfo Add(string scheme, string credentials) => scheme switch
    {
        "digest" => AddDigest(credentials),
        _ => throw new ZkException(ZkErrorCode.AuthFailed, null, $"unknown authentication scheme \"{scheme}\""),
    };

    private static JavaIdSet SetOf(IReadOnlyList<ZkId> ids, string? verifiedAddress)
    {
        var set = new JavaIdSet();
        if (verifiedAddress != null) set.Add(new ZkId("ip", verifiedAddress));
        foreach (var id in ids) set.Add(id);
        return set;
    }
}
