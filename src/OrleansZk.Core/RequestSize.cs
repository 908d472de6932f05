using System.Text;

namespace OrleansZk.Core;

/// <summary>
/// The size of a write request as ZooKeeper's jute encoding counts it against jute.maxbuffer: the
/// request header (xid, type) and the record — strings and buffers with a 4-byte length, ints 4,
/// longs 8, an ACL vector with a 4-byte count; a multi adds a 9-byte header per op and one at the end.
/// </summary>
public static class RequestSize
{
    private const int Header = 8;

    public static int Of(WriteRequest request) => Header + Body(request);

    /// <summary>The path a request is about, or null (multi, sessions, getEphemerals).</summary>
    public static string? PathOf(ZkRequest request) => request switch
    {
        CreateRequest r => r.Path,
        DeleteRequest r => r.Path,
        SetDataRequest r => r.Path,
        SetAclRequest r => r.Path,
        CheckRequest r => r.Path,
        DeleteContainerRequest r => r.Path,
        GetDataRequest r => r.Path,
        ExistsRequest r => r.Path,
        GetChildrenRequest r => r.Path,
        GetChildrenPageRequest r => r.Path,
        GetAclRequest r => r.Path,
        GetAllChildrenNumberRequest r => r.Path,
        _ => null,
    };

    /// <summary>True for the requests that name a path (a null one included).</summary>
    public static bool HasPath(ZkRequest request) =>
        request is not (MultiRequest or CreateSessionRequest or CloseSessionRequest or GetEphemeralsRequest);

    private static int Body(WriteRequest request) => request switch
    {
        CreateRequest r => Str(r.Path) + Buf(r.Data) + AclSize(r.Acl) + 4 + (r.Mode.IsTtl() ? 8 : 0),
        DeleteRequest r => Str(r.Path) + 4,
        SetDataRequest r => Str(r.Path) + Buf(r.Data) + 4,
        SetAclRequest r => Str(r.Path) + AclSize(r.Acl) + 4,
        CheckRequest r => Str(r.Path) + 4,
        MultiRequest m => m.Ops.Sum(op => 9 + Body(op)) + 9,
        DeleteContainerRequest r => Str(r.Path),
        CreateSessionRequest r => 4 + 8 + 4 + 8 + Buf(r.Password) + 1,
        _ => 0,
    };

    private static int Str(string? s) => 4 + (s == null ? 0 : Encoding.UTF8.GetByteCount(s));
    private static int Buf(byte[]? b) => 4 + (b?.Length ?? 0);
    private static int AclSize(IReadOnlyList<Acl>? acl) => 4 + (acl?.Sum(a => 4 + Str(a.Id.Scheme) + Str(a.Id.Id)) ?? 0);
}
