using OrleansZk.Core;
using OrleansZk.Wire.Jute;

namespace OrleansZk.Wire.Protocol;

/// <summary>Reads a reply frame's body (after its length): the header and, when its code is Ok, the response record of the request's op.</summary>
public static class ResponseParser
{
    /// <summary>The header and record of a reply to <paramref name="op"/> (null record: none for this op, or an error); a notification (xid -1) carries a <see cref="WatcherEvent"/>.</summary>
    public static (ReplyHeader Header, WireResponse? Response) Parse(ReadOnlySpan<byte> body, Func<int, OpCode?> opOfXid)
    {
        var r = new JuteReader(body);
        var header = ReplyHeader.Read(ref r);
        WireResponse? response = null;
        if (header.Xid == Xids.Notification) response = WatcherEvent.Read(ref r);
        else if (header.Err == ZkErrorCode.Ok && header.Xid is not (Xids.Ping or Xids.Auth))
        {
            var op = opOfXid(header.Xid) ?? throw new JuteException($"a reply to xid {header.Xid}, which no request had");
            response = Read(op, ref r);
        }
        r.ExpectEnd($"the reply to xid {header.Xid}");
        return (header, response);
    }

    private static WireResponse? Read(OpCode op, ref JuteReader r) => op switch
    {
        OpCode.Create or OpCode.Sync => PathResponse.Read(ref r),
        OpCode.Create2 or OpCode.CreateTtl or OpCode.CreateContainer => Create2Response.Read(ref r),
        OpCode.Exists or OpCode.SetData or OpCode.SetAcl or OpCode.Check => StatResponse.Read(ref r),
        OpCode.GetData => GetDataResponse.Read(ref r),
        OpCode.GetAcl => GetAclResponse.Read(ref r),
        OpCode.GetChildren or OpCode.GetEphemerals => StringsResponse.Read(ref r),
        OpCode.GetChildren2 => Children2Response.Read(ref r),
        OpCode.GetAllChildrenNumber or OpCode.AddWatch => IntResponse.Read(ref r),
        OpCode.Multi or OpCode.MultiRead => MultiResponse.Read(ref r),
        OpCode.WhoAmI => WhoAmIResponse.Read(ref r),
        _ => null,
    };
}
