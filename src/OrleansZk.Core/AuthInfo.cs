using System.Security.Cryptography;
using System.Text;

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

/// <summary>ZooKeeper's ACL rules: validating and expanding ACLs (fixupACL) and checking permissions (checkACL).</summary>
public static class AclRules
{
    /// <summary>ZooKeeper's digest form: "user:" + base64(sha1("user:password")).</summary>
    public static string GenerateDigest(string userColonPassword)
    {
        var user = userColonPassword.Split(':', 2)[0];
        var hash = SHA1.HashData(Encoding.UTF8.GetBytes(userColonPassword));
        return user + ":" + Convert.ToBase64String(hash);
    }

    /// <summary>
    /// Validates and expands an ACL as ZooKeeper's fixupACL: duplicates removed; empty is
    /// InvalidACL; "auth" becomes every authenticated (digest/super) id of the caller, InvalidACL if
    /// it has none; other schemes must be known and their ids valid.
    /// </summary>
    public static AclList Fixup(string path, IReadOnlyList<Acl>? acl, AuthInfo auth)
    {
        if (acl == null || acl.Count == 0) throw new ZkException(ZkErrorCode.InvalidAcl, path);
        if (acl is AclList ready && IsFinal(ready)) return ready;
        var result = new List<Acl>(acl.Count);
        foreach (var a in acl.Distinct())
        {
            var id = a.Id;
            if (id.Scheme == null || id.Id == null) throw new ZkException(ZkErrorCode.InvalidAcl, path);
            if (id.Scheme == "world" && id.Id == "anyone")
            {
                result.Add(a);
            }
            else if (id.Scheme == "auth")
            {
                var any = false;
                foreach (var cid in auth.Ids)
                {
                    if (cid.Scheme == "digest")
                    {
                        any = true;
                        result.Add(new Acl(a.Perms, cid));
                    }
                }
                if (!any) throw new ZkException(ZkErrorCode.InvalidAcl, path);
            }
            else if (!IsValidId(id))
            {
                throw new ZkException(ZkErrorCode.InvalidAcl, path);
            }
            else
            {
                result.Add(a);
            }
        }
        return new AclList(result);
    }

    /// <summary>No lone surrogates: the string survives UTF-8 (the log and snapshot encoding) unchanged.</summary>
    private static bool IsWellFormed(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (!char.IsSurrogate(s[i])) continue;
            if (!char.IsHighSurrogate(s[i]) || i + 1 == s.Length || !char.IsLowSurrogate(s[i + 1])) return false;
            i++;
        }
        return true;
    }

    /// <summary>An ACL that fixup would return unchanged: no "auth" entry, no duplicate, every id valid.</summary>
    private static bool IsFinal(AclList acl)
    {
        for (var i = 0; i < acl.Count; i++)
        {
            var id = acl[i].Id;
            if (id.Scheme == null || id.Id == null || id.Scheme == "auth") return false;
            if (!(id.Scheme == "world" && id.Id == "anyone") && !IsValidId(id)) return false;
            for (var j = 0; j < i; j++)
                if (acl[j] == acl[i]) return false;
        }
        return true;
    }

    private static bool IsValidId(ZkId id) => IsWellFormed(id.Scheme) && IsWellFormed(id.Id) && id.Scheme switch
    {
        "digest" => id.Id.Split(':').Length == 2,
        "ip" => IpMatcher.IsValid(id.Id),
        _ => false,
    };

    /// <summary>
    /// True when <paramref name="auth"/> holds <paramref name="perm"/> (any of its bits) on a node
    /// with <paramref name="acl"/>, by ZooKeeper's checkACL: an empty ACL allows everything, a super
    /// id everything, world:anyone everyone, digest exact ids, ip the verified address in range.
    /// </summary>
    public static bool Allows(AclList acl, Perms perm, AuthInfo auth)
    {
        if (acl.Count == 0) return true;
        foreach (var id in auth.Ids)
            if (id.Scheme == "super") return true;
        foreach (var a in acl)
        {
            if ((a.Perms & perm) == 0) continue;
            var id = a.Id;
            if (id.Scheme == "world" && id.Id == "anyone") return true;
            foreach (var cid in auth.EffectiveIds)
            {
                if (cid.Scheme != id.Scheme) continue;
                if (id.Scheme == "digest" && cid.Id == id.Id) return true;
                if (id.Scheme == "ip" && IpMatcher.Matches(cid.Id, id.Id)) return true;
            }
        }
        return false;
    }

    /// <summary>Throws NoAuth unless <see cref="Allows"/>.</summary>
    public static void Check(AclList acl, Perms perm, AuthInfo auth, string path)
    {
        if (!Allows(acl, perm, auth)) throw new ZkException(ZkErrorCode.NoAuth, path);
    }

    /// <summary>getACL without ADMIN: digest ids are masked to "user:x", as ZooKeeper does.</summary>
    public static AclList MaskDigests(AclList acl)
    {
        if (!acl.Any(a => a.Id.Scheme == "digest")) return acl;
        return new AclList(acl.Select(a =>
        {
            if (a.Id.Scheme != "digest") return a;
            var colon = a.Id.Id.IndexOf(':');
            var masked = colon < 0 ? a.Id.Id : a.Id.Id[..colon] + ":x";
            return new Acl(a.Perms, new ZkId("digest", masked));
        }));
    }
}
