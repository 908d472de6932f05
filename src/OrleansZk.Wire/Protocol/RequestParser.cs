using OrleansZk.Wire.Jute;

namespace OrleansZk.Wire.Protocol;

/// <summary>An op code this server does not know (or does not take from clients): ZooKeeper answers Unimplemented and closes the connection.</summary>
public sealed class UnknownOpException(RequestHeader header)
    : Exception($"op code {(int)header.Type} (xid {header.Xid}) is not one this server takes")
{
    public RequestHeader Header { get; } = header;
}

/// <summary>Parses the body of a request frame (everything after the length) into its header and record.</summary>
public static class RequestParser
{
    /// <summary>
    /// The header and the request record of <paramref name="body"/>. Throws <see cref="JuteException"/>
    /// for a body too short for its header, or whose record is malformed or followed by extra bytes
    /// (<see cref="JuteException"/> carries no header then; <see cref="ParseBody"/> does), and
    /// <see cref="UnknownOpException"/> for an op this server does not take.
    /// </summary>
    public static (RequestHeader Header, WireRequest Request) Parse(ReadOnlySpan<byte> body)
    {
        var r = new JuteReader(body);
        var header = RequestHeader.Read(ref r);
        return (header, ParseBody(header, ref r));
    }

    /// <summary>The record of <paramref name="header"/>'s op from the rest of the frame.</summary>
    public static WireRequest ParseBody(RequestHeader header, ref JuteReader r)
    {
        WireRequest request = header.Type switch
        {
            OpCode.Create or OpCode.Create2 or OpCode.CreateContainer => CreateWireRequest.Read(ref r),
            OpCode.CreateTtl => CreateTtlWireRequest.Read(ref r),
            OpCode.Delete or OpCode.Check => PathVersionRequest.Read(ref r),
            OpCode.Exists or OpCode.GetData or OpCode.GetChildren or OpCode.GetChildren2 => PathWatchRequest.Read(ref r),
            OpCode.SetData => SetDataWireRequest.Read(ref r),
            OpCode.GetAcl or OpCode.Sync or OpCode.GetAllChildrenNumber or OpCode.GetEphemerals => PathRequest.Read(ref r),
            OpCode.SetAcl => SetAclWireRequest.Read(ref r),
            OpCode.Multi or OpCode.MultiRead => MultiWireRequest.Read(ref r),
            OpCode.AddWatch => AddWatchWireRequest.Read(ref r),
            OpCode.RemoveWatches or OpCode.CheckWatches => WatchesWireRequest.Read(ref r),
            OpCode.SetWatches => SetWatchesWireRequest.Read(ref r, version2: false),
            OpCode.SetWatches2 => SetWatchesWireRequest.Read(ref r, version2: true),
            OpCode.Auth => AuthWireRequest.Read(ref r),
            OpCode.Ping or OpCode.CloseSession or OpCode.WhoAmI => EmptyWireRequest.Instance,
            _ => throw new UnknownOpException(header),
        };
        r.ExpectEnd(header.Type.ToString());
        return request;
    }
}
