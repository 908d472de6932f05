namespace OrleansZk.Core;

/// <summary>
/// The checks ZooKeeper's client makes before it sends a request (so a request failing them never
/// reaches the server and consumes no zxid): path syntax (a sequential create's path with its
/// suffix), the TTL against the mode, and a non-empty ACL for create and setACL. The SDK runs
/// them; the server repeats every one of them anyway.
/// </summary>
public static class ClientValidation
{
    /// <summary>Throws BadArguments (with ZooKeeper's message) or InvalidACL, like ZooKeeper's Java client.</summary>
    public static void Validate(ZkRequest request)
    {
        switch (request)
        {
            case CreateRequest r:
                ValidateCreate(r);
                if (r.Acl == null || r.Acl.Count == 0) throw new ZkException(ZkErrorCode.InvalidAcl, r.Path);
                break;
            case SetAclRequest r:
                ZkPath.Validate(r.Path);
                if (r.Acl == null || r.Acl.Count == 0) throw new ZkException(ZkErrorCode.InvalidAcl, r.Path);
                break;
            case MultiRequest m:
                foreach (var op in m.Ops)
                {
                    if (op is CreateRequest c) ValidateCreate(c);
                    else ValidatePathOf(op);
                }
                break;
            case GetChildrenPageRequest p:
                ZkPath.Validate(p.Path);
                GetChildrenPageRequest.ValidateArguments(p.Path, p.PageSize, p.After);
                break;
            case GetEphemeralsRequest e:
                // The Java client validates the prefix as a path: "" and " " are refused (only the
                // server reads a blank prefix as "all").
                ZkPath.Validate(e.Prefix);
                break;
            default:
                ValidatePathOf(request);
                break;
        }
    }

    private static void ValidateCreate(CreateRequest r)
    {
        ZkPath.Validate(r.Path, r.Mode.IsSequential());
        ValidateTtl(r.Path, r.Mode, r.Ttl);
    }

    /// <summary>ZooKeeper's EphemeralType.validateTTL.</summary>
    public static void ValidateTtl(string path, CreateMode mode, long ttl)
    {
        if (mode.IsTtl())
        {
            if (ttl <= 0 || ttl > EphemeralOwners.MaxTtlMs)
                throw new ZkException(ZkErrorCode.BadArguments, path, $"ttl must be positive and cannot be larger than: {EphemeralOwners.MaxTtlMs}");
        }
        else if (ttl >= 0)
        {
            throw new ZkException(ZkErrorCode.BadArguments, path, $"ttl not valid for mode: {mode}");
        }
    }

    private static void ValidatePathOf(ZkRequest request)
    {
        if (RequestSize.HasPath(request)) ZkPath.Validate(RequestSize.PathOf(request));
    }
}

/// <summary>A request larger than <see cref="PreparerOptions.MaxRequestBytes"/>: rejected before it gets a zxid.</summary>
public sealed class RequestTooLargeException(string? path, int size, int limit)
    : ZkException(ZkErrorCode.BadArguments, path, $"request of {size} bytes exceeds the limit of {limit} bytes")
{
    public int Size { get; } = size;
    public int Limit { get; } = limit;
}
