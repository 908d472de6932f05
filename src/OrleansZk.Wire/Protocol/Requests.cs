using OrleansZk.Core;
using OrleansZk.Wire.Jute;

namespace OrleansZk.Wire.Protocol;

/// <summary>A request record of <c>zookeeper.jute</c> (the body after the <see cref="RequestHeader"/>).</summary>
public abstract record WireRequest
{
    /// <summary>Writes the record's fields (no header).</summary>
    public abstract void Write(JuteWriter w);
}

/// <summary><c>RequestHeader</c>: the client's xid (replies come back in xid order; see <see cref="Xids"/> for the reserved ones) and the op.</summary>
public readonly record struct RequestHeader(int Xid, OpCode Type)
{
    public static RequestHeader Read(ref JuteReader r) => new(r.ReadInt(), (OpCode)r.ReadInt());

    public void Write(JuteWriter w) => w.WriteInt(Xid).WriteInt((int)Type);
}

/// <summary>
/// <c>ConnectRequest</c>, the first frame of a connection: <paramref name="ReadOnly"/> is null when
/// an old client left the byte out.
/// </summary>
public sealed record ConnectRequest(int ProtocolVersion, long LastZxidSeen, int TimeOut, long SessionId, byte[]? Passwd, bool? ReadOnly) : WireRequest
{
    public static ConnectRequest Read(ref JuteReader r)
    {
        var request = new ConnectRequest(r.ReadInt(), r.ReadLong(), r.ReadInt(), r.ReadLong(), r.ReadBuffer(), null);
        if (!r.AtEnd) request = request with { ReadOnly = r.ReadBool() };
        r.ExpectEnd("ConnectRequest");
        return request;
    }

    public override void Write(JuteWriter w)
    {
        w.WriteInt(ProtocolVersion).WriteLong(LastZxidSeen).WriteInt(TimeOut).WriteLong(SessionId).WriteBuffer(Passwd);
        if (ReadOnly is { } readOnly) w.WriteBool(readOnly);
    }
}

/// <summary>create, create2 and createContainer (<c>CreateRequest</c>); <paramref name="Flags"/> is ZooKeeper's CreateMode flag.</summary>
public sealed record CreateWireRequest(string Path, byte[]? Data, List<Acl>? Acl, int Flags) : WireRequest
{
    public static CreateWireRequest Read(ref JuteReader r) =>
        new(r.ReadString() ?? "", r.ReadBuffer(), JuteData.ReadAcls(ref r), r.ReadInt());

    public override void Write(JuteWriter w)
    {
        w.WriteString(Path).WriteBuffer(Data);
        JuteData.WriteAcls(w, Acl);
        w.WriteInt(Flags);
    }
}

/// <summary>createTTL (<c>CreateTTLRequest</c>): a create with a TTL in milliseconds.</summary>
public sealed record CreateTtlWireRequest(string Path, byte[]? Data, List<Acl>? Acl, int Flags, long Ttl) : WireRequest
{
    public static CreateTtlWireRequest Read(ref JuteReader r) =>
        new(r.ReadString() ?? "", r.ReadBuffer(), JuteData.ReadAcls(ref r), r.ReadInt(), r.ReadLong());

    public override void Write(JuteWriter w)
    {
        w.WriteString(Path).WriteBuffer(Data);
        JuteData.WriteAcls(w, Acl);
        w.WriteInt(Flags).WriteLong(Ttl);
    }
}

/// <summary>delete (<c>DeleteRequest</c>), and check (<c>CheckVersionRequest</c>): a path and a version.</summary>
public sealed record PathVersionRequest(string Path, int Version) : WireRequest
{
    public static PathVersionRequest Read(ref JuteReader r) => new(r.ReadString() ?? "", r.ReadInt());

    public override void Write(JuteWriter w) => w.WriteString(Path).WriteInt(Version);
}

/// <summary>exists, getData, getChildren, getChildren2: a path and the watch flag.</summary>
public sealed record PathWatchRequest(string Path, bool Watch) : WireRequest
{
    public static PathWatchRequest Read(ref JuteReader r) => new(r.ReadString() ?? "", r.ReadBool());

    public override void Write(JuteWriter w) => w.WriteString(Path).WriteBool(Watch);
}

/// <summary>getACL, sync, getAllChildrenNumber, getEphemerals (its prefix): a path alone.</summary>
public sealed record PathRequest(string? Path) : WireRequest
{
    public static PathRequest Read(ref JuteReader r) => new(r.ReadString());

    public override void Write(JuteWriter w) => w.WriteString(Path);
}

/// <summary>setData (<c>SetDataRequest</c>).</summary>
public sealed record SetDataWireRequest(string Path, byte[]? Data, int Version) : WireRequest
{
    public static SetDataWireRequest Read(ref JuteReader r) => new(r.ReadString() ?? "", r.ReadBuffer(), r.ReadInt());

    public override void Write(JuteWriter w) => w.WriteString(Path).WriteBuffer(Data).WriteInt(Version);
}

/// <summary>setACL (<c>SetACLRequest</c>).</summary>
public sealed record SetAclWireRequest(string Path, List<Acl>? Acl, int Version) : WireRequest
{
    public static SetAclWireRequest Read(ref JuteReader r) => new(r.ReadString() ?? "", JuteData.ReadAcls(ref r), r.ReadInt());

    public override void Write(JuteWriter w)
    {
        w.WriteString(Path);
        JuteData.WriteAcls(w, Acl);
        w.WriteInt(Version);
    }
}

/// <summary>addWatch (<c>AddWatchRequest</c>): mode 0 persistent, 1 persistent recursive.</summary>
public sealed record AddWatchWireRequest(string Path, int Mode) : WireRequest
{
    public static AddWatchWireRequest Read(ref JuteReader r) => new(r.ReadString() ?? "", r.ReadInt());

    public override void Write(JuteWriter w) => w.WriteString(Path).WriteInt(Mode);
}

/// <summary>removeWatches and checkWatches (<c>RemoveWatchesRequest</c>, <c>CheckWatchesRequest</c>): a path and a <see cref="WatcherType"/> number.</summary>
public sealed record WatchesWireRequest(string Path, int Type) : WireRequest
{
    public static WatchesWireRequest Read(ref JuteReader r) => new(r.ReadString() ?? "", r.ReadInt());

    public override void Write(JuteWriter w) => w.WriteString(Path).WriteInt(Type);
}

/// <summary>
/// setWatches (<c>SetWatches</c>) and setWatches2 (<c>SetWatches2</c>, with persistent and
/// persistent-recursive watches): the watches a reconnecting client had, and the last zxid it saw.
/// </summary>
public sealed record SetWatchesWireRequest(long RelativeZxid, List<string> Data, List<string> Exist, List<string> Child,
    List<string>? Persistent, List<string>? PersistentRecursive) : WireRequest
{
    /// <summary>Whether this is a setWatches2 (the two persistent vectors are present).</summary>
    public bool IsVersion2 => Persistent is not null;

    public static SetWatchesWireRequest Read(ref JuteReader r, bool version2)
    {
        var zxid = r.ReadLong();
        var data = r.ReadStringVector() ?? [];
        var exist = r.ReadStringVector() ?? [];
        var child = r.ReadStringVector() ?? [];
        if (!version2) return new(zxid, data, exist, child, null, null);
        return new(zxid, data, exist, child, r.ReadStringVector() ?? [], r.ReadStringVector() ?? []);
    }

    public override void Write(JuteWriter w)
    {
        w.WriteLong(RelativeZxid).WriteStringVector(Data).WriteStringVector(Exist).WriteStringVector(Child);
        if (IsVersion2) w.WriteStringVector(Persistent).WriteStringVector(PersistentRecursive);
    }
}

/// <summary>An auth packet (<c>AuthPacket</c>, xid -4): a scheme and its credentials.</summary>
public sealed record AuthWireRequest(int Type, string Scheme, byte[]? Auth) : WireRequest
{
    public static AuthWireRequest Read(ref JuteReader r) => new(r.ReadInt(), r.ReadString() ?? "", r.ReadBuffer());

    public override void Write(JuteWriter w) => w.WriteInt(Type).WriteString(Scheme).WriteBuffer(Auth);
}

/// <summary>ping, closeSession and whoAmI: no body.</summary>
public sealed record EmptyWireRequest : WireRequest
{
    public static readonly EmptyWireRequest Instance = new();

    public override void Write(JuteWriter w)
    {
    }
}

/// <summary>One op of a multi or multiRead, with its <c>MultiHeader</c> type.</summary>
public readonly record struct MultiOp(OpCode Type, WireRequest Request);

/// <summary>
/// multi and multiRead (<c>MultiOperationRecord</c>): each op a <c>MultiHeader</c> (type, done false,
/// err -1) and its request; then a header (-1, true, -1) ends the list.
/// </summary>
public sealed record MultiWireRequest(List<MultiOp> Ops) : WireRequest
{
    public static MultiWireRequest Read(ref JuteReader r)
    {
        var ops = new List<MultiOp>();
        while (true)
        {
            var type = (OpCode)r.ReadInt();
            var done = r.ReadBool();
            r.ReadInt(); // err: -1 in requests, not used
            if (done) return new MultiWireRequest(ops);
            WireRequest op = type switch
            {
                OpCode.Create or OpCode.Create2 or OpCode.CreateContainer => CreateWireRequest.Read(ref r),
                OpCode.CreateTtl => CreateTtlWireRequest.Read(ref r),
                OpCode.Delete or OpCode.Check => PathVersionRequest.Read(ref r),
                OpCode.SetData => SetDataWireRequest.Read(ref r),
                OpCode.GetChildren or OpCode.GetData => PathWatchRequest.Read(ref r),
                _ => throw new JuteException($"op type {(int)type} cannot be part of a multi"),
            };
            ops.Add(new MultiOp(type, op));
        }
    }

    public override void Write(JuteWriter w)
    {
        foreach (var op in Ops)
        {
            w.WriteInt((int)op.Type).WriteBool(false).WriteInt(-1);
            op.Request.Write(w);
        }
        w.WriteInt(-1).WriteBool(true).WriteInt(-1);
    }
}
