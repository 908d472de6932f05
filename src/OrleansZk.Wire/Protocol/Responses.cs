using OrleansZk.Core;
using OrleansZk.Wire.Jute;

namespace OrleansZk.Wire.Protocol;

/// <summary>A response record of <c>zookeeper.jute</c> (the body after the <see cref="ReplyHeader"/>; none when the reply's err is not 0).</summary>
public abstract record WireResponse
{
    public abstract void Write(JuteWriter w);
}

/// <summary><c>ReplyHeader</c>: the request's xid, the zxid the server has seen (-1 on notifications), and ZooKeeper's error code.</summary>
public readonly record struct ReplyHeader(int Xid, long Zxid, ZkErrorCode Err)
{
    public static ReplyHeader Read(ref JuteReader r) => new(r.ReadInt(), r.ReadLong(), (ZkErrorCode)r.ReadInt());

    public void Write(JuteWriter w) => w.WriteInt(Xid).WriteLong(Zxid).WriteInt((int)Err);
}

/// <summary><c>ConnectResponse</c> and the readOnly byte after it (left out for an old client that did not send one).</summary>
public sealed record ConnectResponse(int ProtocolVersion, int TimeOut, long SessionId, byte[] Passwd, bool? ReadOnly) : WireResponse
{
    /// <summary>ZooKeeper's answer to a session it cannot resume (expired, closed, wrong password): timeout 0, session 0, a zero password.</summary>
    public static ConnectResponse Expired(bool? readOnly) => new(0, 0, 0, new byte[16], readOnly is null ? null : false);

    public static ConnectResponse Read(ref JuteReader r)
    {
        var response = new ConnectResponse(r.ReadInt(), r.ReadInt(), r.ReadLong(), r.ReadBuffer() ?? [], null);
        return r.AtEnd ? response : response with { ReadOnly = r.ReadBool() };
    }

    public override void Write(JuteWriter w)
    {
        w.WriteInt(ProtocolVersion).WriteInt(TimeOut).WriteLong(SessionId).WriteBuffer(Passwd);
        if (ReadOnly is { } readOnly) w.WriteBool(readOnly);
    }
}

/// <summary><c>WatcherEvent</c>, the body of a notification (xid -1): event type, keeper state, path.</summary>
public sealed record WatcherEvent(int Type, int State, string Path) : WireResponse
{
    public static WatcherEvent Read(ref JuteReader r) => new(r.ReadInt(), r.ReadInt(), r.ReadString() ?? "");

    public override void Write(JuteWriter w) => w.WriteInt(Type).WriteInt(State).WriteString(Path);
}

/// <summary>A path alone: create's <c>CreateResponse</c>, sync's <c>SyncResponse</c>.</summary>
public sealed record PathResponse(string Path) : WireResponse
{
    public static PathResponse Read(ref JuteReader r) => new(r.ReadString() ?? "");

    public override void Write(JuteWriter w) => w.WriteString(Path);
}

/// <summary><c>Create2Response</c>: the created path and its stat (create2, createContainer, createTTL).</summary>
public sealed record Create2Response(string Path, Stat Stat) : WireResponse
{
    public static Create2Response Read(ref JuteReader r) => new(r.ReadString() ?? "", JuteData.ReadStat(ref r));

    public override void Write(JuteWriter w)
    {
        w.WriteString(Path);
        JuteData.WriteStat(w, Stat);
    }
}

/// <summary>A stat alone: <c>ExistsResponse</c>, <c>SetDataResponse</c>, <c>SetACLResponse</c>.</summary>
public sealed record StatResponse(Stat Stat) : WireResponse
{
    public static StatResponse Read(ref JuteReader r) => new(JuteData.ReadStat(ref r));

    public override void Write(JuteWriter w) => JuteData.WriteStat(w, Stat);
}

/// <summary><c>GetDataResponse</c>.</summary>
public sealed record GetDataResponse(byte[]? Data, Stat Stat) : WireResponse
{
    public static GetDataResponse Read(ref JuteReader r) => new(r.ReadBuffer(), JuteData.ReadStat(ref r));

    public override void Write(JuteWriter w)
    {
        w.WriteBuffer(Data);
        JuteData.WriteStat(w, Stat);
    }
}

/// <summary><c>GetACLResponse</c>.</summary>
public sealed record GetAclResponse(IReadOnlyList<Acl> Acl, Stat Stat) : WireResponse
{
    public static GetAclResponse Read(ref JuteReader r) => new(JuteData.ReadAcls(ref r) ?? [], JuteData.ReadStat(ref r));

    public override void Write(JuteWriter w)
    {
        JuteData.WriteAcls(w, Acl);
        JuteData.WriteStat(w, Stat);
    }
}

/// <summary>A vector of strings: <c>GetChildrenResponse</c>, <c>GetEphemeralsResponse</c>.</summary>
public sealed record StringsResponse(IReadOnlyList<string> Strings) : WireResponse
{
    public static StringsResponse Read(ref JuteReader r) => new(r.ReadStringVector() ?? []);

    public override void Write(JuteWriter w) => w.WriteStringVector(Strings as IReadOnlyCollection<string> ?? [.. Strings]);
}

/// <summary><c>GetChildren2Response</c>.</summary>
public sealed record Children2Response(IReadOnlyList<string> Children, Stat Stat) : WireResponse
{
    public static Children2Response Read(ref JuteReader r) => new(r.ReadStringVector() ?? [], JuteData.ReadStat(ref r));

    public override void Write(JuteWriter w)
    {
        w.WriteStringVector([.. Children]);
        JuteData.WriteStat(w, Stat);
    }
}

/// <summary>An int alone: <c>GetAllChildrenNumberResponse</c>, <c>ErrorResponse</c> (addWatch's reply).</summary>
public sealed record IntResponse(int Value) : WireResponse
{
    public static IntResponse Read(ref JuteReader r) => new(r.ReadInt());

    public override void Write(JuteWriter w) => w.WriteInt(Value);
}

/// <summary><c>WhoAmIResponse</c>: a vector of <c>ClientInfo</c> (scheme, user).</summary>
public sealed record WhoAmIResponse(IReadOnlyList<ClientInfo> ClientInfo) : WireResponse
{
    public static WhoAmIResponse Read(ref JuteReader r)
    {
        var count = r.ReadVectorCount(8);
        var list = new List<ClientInfo>(Math.Max(count, 0));
        for (var i = 0; i < count; i++) list.Add(new ClientInfo(r.ReadString() ?? "", r.ReadString() ?? ""));
        return new WhoAmIResponse(list);
    }

    public override void Write(JuteWriter w)
    {
        w.WriteInt(ClientInfo.Count);
        foreach (var c in ClientInfo) w.WriteString(c.AuthScheme).WriteString(c.User);
    }
}

/// <summary>
/// One result of a multi or multiRead: its <c>MultiHeader</c> type (the op's, or -1 for an
/// <c>ErrorResult</c>) and body — create: path; create2 / createTTL / createContainer: path and
/// stat; setData: stat; delete and check: nothing; getData: data and stat; getChildren: children;
/// error: the code.
/// </summary>
public sealed record MultiResult(OpCode Type, ZkErrorCode Err, WireResponse? Body);

/// <summary><c>MultiResponse</c>: each result behind a header (type, done false, err), then (-1, true, -1).</summary>
public sealed record MultiResponse(IReadOnlyList<MultiResult> Results) : WireResponse
{
    public static MultiResponse Read(ref JuteReader r)
    {
        var results = new List<MultiResult>();
        while (true)
        {
            var type = (OpCode)r.ReadInt();
            var done = r.ReadBool();
            var err = (ZkErrorCode)r.ReadInt();
            if (done) return new MultiResponse(results);
            WireResponse? body = type switch
            {
                OpCode.Create => PathResponse.Read(ref r),
                OpCode.Create2 or OpCode.CreateTtl or OpCode.CreateContainer => Create2Response.Read(ref r),
                OpCode.SetData => StatResponse.Read(ref r),
                OpCode.Delete or OpCode.Check => null,
                OpCode.GetData => GetDataResponse.Read(ref r),
                OpCode.GetChildren => StringsResponse.Read(ref r),
                OpCode.Error => IntResponse.Read(ref r),
                _ => throw new JuteException($"result type {(int)type} cannot be part of a multi response"),
            };
            results.Add(new MultiResult(type, err, body));
        }
    }

    public override void Write(JuteWriter w)
    {
        foreach (var result in Results)
        {
            w.WriteInt((int)result.Type).WriteBool(false).WriteInt((int)result.Err);
            result.Body?.Write(w);
        }
        w.WriteInt(-1).WriteBool(true).WriteInt(-1);
    }
}
