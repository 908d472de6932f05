using System.Security.Cryptography;
using System.Text;

namespace OrleansZk.Core;

/// <summary>ZooKeeper's ACL rules: validating and expanding ACLs (fixupACL) and checking permissions (checkACL).</summary>
public static class AclRules
{
    /// <summary>
    /// ZooKeeper's DigestAuthenticationProvider.generateDigest: the text before the first colon (all
    /// of it when there is none), a colon, and base64(sha1(UTF-8 of the whole credentials)).
    /// "alice:pw" gives "alice:" + base64(sha1("alice:pw")); "carol" gives "carol:" + base64(sha1("carol")).
    /// </summary>
    public static string GenerateDigest(string credentials)
    {
        var colon = credentials.IndexOf(':');
        var user = colon < 0 ? credentials : credentials[..colon];
        return user + ":" + Convert.ToBase64String(SHA1.HashData(Encoding.UTF8.GetBytes(credentials)));
    }

    /// <summary>
    /// Validates and expands an ACL as ZooKeeper's fixupACL: duplicates removed; empty is
    /// InvalidACL; "auth" becomes every digest id of the caller, in <see cref="AuthInfo.ServerOrder"/>,
    /// InvalidACL if it has none; other schemes must be known and their ids valid. Duplicates are
    /// removed before "auth" expands, so an expanded id may repeat an entry given explicitly.
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
                // ZooKeeper adds them in its server's iteration order of the caller's identities.
                foreach (var cid in auth.ServerOrder)
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
        "digest" => JavaSplitCount(id.Id, ':') == 2,
        "ip" => IpMatcher.IsValid(id.Id),
        _ => false,
    };

    /// <summary>
    /// The length of Java's <c>s.split(":")</c>: the parts between separators, trailing empty parts
    /// dropped (so "alice:" has 1, ":" has 0, "a:b:" and ":pw" have 2, "a::b" has 3); a string
    /// without the separator is one part, even when empty. ZooKeeper's digest provider accepts an id
    /// iff this is 2.
    /// </summary>
    internal static int JavaSplitCount(string s, char separator)
    {
        if (!s.Contains(separator)) return 1;
        var parts = s.Split(separator);
        var count = parts.Length;
        while (count > 0 && parts[count - 1].Length == 0) count--;
        return count;
    }

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

    /// <summary>
    /// getACL without ADMIN: every digest id masked as ZooKeeper's <c>id.replaceAll(":.*", ":x")</c>
    /// ("alice:HASH" → "alice:x"): each colon and the rest of its line become ":x", since Java's
    /// <c>.</c> stops at a line terminator ("a:b\nc" → "a:x\nc").
    /// </summary>
    public static AclList MaskDigests(AclList acl)
    {
        if (!acl.Any(a => a.Id.Scheme == "digest")) return acl;
        return new AclList(acl.Select(a => a.Id.Scheme == "digest" ? new Acl(a.Perms, new ZkId("digest", MaskDigest(a.Id.Id))) : a));
    }

    private static string MaskDigest(string id)
    {
        if (!id.Contains(':')) return id;
        var sb = new StringBuilder(id.Length);
        for (var i = 0; i < id.Length; i++)
        {
            if (id[i] != ':')
            {
                sb.Append(id[i]);
                continue;
            }
            sb.Append(":x");
            while (i + 1 < id.Length && !IsJavaLineTerminator(id[i + 1])) i++;
        }
        return sb.ToString();
    }

    /// <summary>The characters Java's regex <c>.</c> does not match (without DOTALL).</summary>
    private static bool IsJavaLineTerminator(char c) => c is '\n' or '\r' or '\u0085' or '\u2028' or '\u2029';
}
