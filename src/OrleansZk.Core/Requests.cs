using Orleans;

namespace OrleansZk.Core;

/// <summary>A client request, as the service receives it. Writes are prepared into transactions; reads are served by the tree.</summary>
[GenerateSerializer, Alias("zk.ZkRequest")]
public abstract record ZkRequest;

/// <summary>A request that changes the tree (or the session table) and so becomes a transaction.</summary>
[GenerateSerializer, Alias("zk.WriteRequest")]
public abstract record WriteRequest : ZkRequest;

/// <summary>create. <paramref name="Ttl"/> is in milliseconds, only for the TTL modes (-1 = none).</summary>
[GenerateSerializer, Alias("zk.CreateRequest")]
public sealed record CreateRequest(string Path, byte[]? Data, IReadOnlyList<Acl> Acl, CreateMode Mode, long Ttl = -1) : WriteRequest;

/// <summary>delete; <paramref name="Version"/> -1 matches any version.</summary>
[GenerateSerializer, Alias("zk.DeleteRequest")]
public sealed record DeleteRequest(string Path, int Version = -1) : WriteRequest;

/// <summary>setData; <paramref name="Version"/> -1 matches any version.</summary>
[GenerateSerializer, Alias("zk.SetDataRequest")]
public sealed record SetDataRequest(string Path, byte[]? Data, int Version = -1) : WriteRequest;

/// <summary>setACL; <paramref name="Aversion"/> -1 matches any ACL version.</summary>
[GenerateSerializer, Alias("zk.SetAclRequest")]
public sealed record SetAclRequest(string Path, IReadOnlyList<Acl> Acl, int Aversion = -1) : WriteRequest;

/// <summary>check: the node exists with this version (-1 = any); READ permission needed.</summary>
[GenerateSerializer, Alias("zk.CheckRequest")]
public sealed record CheckRequest(string Path, int Version) : WriteRequest;

/// <summary>multi: all of <paramref name="Ops"/> (create, delete, setData, check) or none, at one zxid.</summary>
[GenerateSerializer, Alias("zk.MultiRequest")]
public sealed record MultiRequest(IReadOnlyList<WriteRequest> Ops) : WriteRequest;

/// <summary>createSession: the session id is fixed by preparation; the password comes from the caller.</summary>
[GenerateSerializer, Alias("zk.CreateSessionRequest")]
public sealed record CreateSessionRequest(int TimeoutMs, byte[] Password) : WriteRequest;

/// <summary>closeSession (also what expiry issues): deletes the session's ephemerals.</summary>
[GenerateSerializer, Alias("zk.CloseSessionRequest")]
public sealed record CloseSessionRequest : WriteRequest;

/// <summary>
/// The service's deletion of an empty container or an expired TTL node (as ZooKeeper's
/// deleteContainer), conditional: it fails with NotEmpty if the node has children by then, and
/// with BadVersion if the node changed since the scan (<paramref name="ExpectedMzxid"/>, and for
/// containers <paramref name="ExpectedPzxid"/>) or is no container/TTL node.
/// </summary>
[GenerateSerializer, Alias("zk.DeleteContainerRequest")]
public sealed record DeleteContainerRequest(string Path, long ExpectedMzxid, long ExpectedPzxid) : WriteRequest;

/// <summary>A request that reads the tree.</summary>
[GenerateSerializer, Alias("zk.ReadRequest")]
public abstract record ReadRequest : ZkRequest;

[GenerateSerializer, Alias("zk.GetDataRequest")]
public sealed record GetDataRequest(string Path) : ReadRequest;
[GenerateSerializer, Alias("zk.ExistsRequest")]
public sealed record ExistsRequest(string Path) : ReadRequest;
[GenerateSerializer, Alias("zk.GetChildrenRequest")]
public sealed record GetChildrenRequest(string Path) : ReadRequest;

/// <summary>
/// One page of getChildren (beyond ZooKeeper): up to <paramref name="PageSize"/> names
/// (1..<see cref="MaxPageSize"/>) strictly after <paramref name="After"/> (null: from the first) in
/// ordinal order. <paramref name="After"/> is any name (a child's or not), non-empty and without '/'.
/// </summary>
[GenerateSerializer, Alias("zk.GetChildrenPageRequest")]
public sealed record GetChildrenPageRequest(string Path, int PageSize, string? After = null) : ReadRequest
{
    /// <summary>The largest page: 10,000 names (with 100-byte names about 1 MB, jute.maxbuffer's size).</summary>
    public const int MaxPageSize = 10_000;

    /// <summary>BadArguments for a page size outside 1..<see cref="MaxPageSize"/>, or an empty or '/'-holding <paramref name="after"/>.</summary>
    public static void ValidateArguments(string path, int pageSize, string? after)
    {
        if (pageSize is < 1 or > MaxPageSize)
            throw new ZkException(ZkErrorCode.BadArguments, path, $"page size {pageSize} is not within 1..{MaxPageSize}");
        if (after != null && (after.Length == 0 || after.Contains('/')))
            throw new ZkException(ZkErrorCode.BadArguments, path, $"\"{after}\" is not a child name to continue after (non-empty, without '/')");
    }
}

[GenerateSerializer, Alias("zk.GetAclRequest")]
public sealed record GetAclRequest(string Path) : ReadRequest;
[GenerateSerializer, Alias("zk.GetAllChildrenNumberRequest")]
public sealed record GetAllChildrenNumberRequest(string Path) : ReadRequest;

/// <summary>getEphemerals of the calling session, under a path prefix ("/" or empty = all).</summary>
[GenerateSerializer, Alias("zk.GetEphemeralsRequest")]
public sealed record GetEphemeralsRequest(string Prefix) : ReadRequest;

/// <summary>Who sends a write and when: the inputs preparation needs besides the tree.</summary>
/// <param name="SessionId">The calling session (0 for the service itself, e.g. container deletion).</param>
/// <param name="Xid">The client's request id (FIFO order per session).</param>
/// <param name="TimeMs">Wall-clock time fixed into the transaction, ms since the Unix epoch.</param>
/// <param name="Auth">The caller's identities.</param>
public sealed record RequestContext(long SessionId, int Xid, long TimeMs, AuthInfo Auth);
