using OrleansZk.Core;
using OrleansZk.Wire.Jute;

namespace OrleansZk.Wire.Protocol;

/// <summary>The data records of <c>zookeeper.jute</c> (Stat, ACL, Id, ClientInfo), mapped onto the core's own types.</summary>
public static class JuteData
{
    /// <summary>Stat's eleven fields in ZooKeeper's order (czxid, mzxid, ctime, mtime, version, cversion, aversion, ephemeralOwner, dataLength, numChildren, pzxid).</summary>
    public static Stat ReadStat(ref JuteReader r) => new(
        Czxid: r.ReadLong(), Mzxid: r.ReadLong(), Ctime: r.ReadLong(), Mtime: r.ReadLong(),
        Version: r.ReadInt(), Cversion: r.ReadInt(), Aversion: r.ReadInt(), EphemeralOwner: r.ReadLong(),
        DataLength: r.ReadInt(), NumChildren: r.ReadInt(), Pzxid: r.ReadLong());

    public static void WriteStat(JuteWriter w, Stat s) => w
        .WriteLong(s.Czxid).WriteLong(s.Mzxid).WriteLong(s.Ctime).WriteLong(s.Mtime)
        .WriteInt(s.Version).WriteInt(s.Cversion).WriteInt(s.Aversion).WriteLong(s.EphemeralOwner)
        .WriteInt(s.DataLength).WriteInt(s.NumChildren).WriteLong(s.Pzxid);

    /// <summary>
    /// A vector of ACL (int perms, then Id: ustring scheme, ustring id); null for count -1. A null
    /// scheme or id (length -1, which kazoo sends for an empty string) reads as empty, as ZooKeeper
    /// takes it: <c>auth</c> ignores its id, and an empty scheme is refused as InvalidACL.
    /// </summary>
    public static List<Acl>? ReadAcls(ref JuteReader r)
    {
        var count = r.ReadVectorCount(12);
        if (count < 0) return null;
        var list = new List<Acl>(count);
        for (var i = 0; i < count; i++)
        {
            var perms = (Perms)r.ReadInt();
            var scheme = r.ReadString() ?? "";
            var id = r.ReadString() ?? "";
            list.Add(new Acl(perms, new ZkId(scheme, id)));
        }
        return list;
    }

    public static void WriteAcls(JuteWriter w, IReadOnlyList<Acl>? acls)
    {
        if (acls is null)
        {
            w.WriteInt(-1);
            return;
        }
        w.WriteInt(acls.Count);
        foreach (var a in acls) w.WriteInt((int)a.Perms).WriteString(a.Id.Scheme).WriteString(a.Id.Id);
    }
}

/// <summary>One identity of a session as whoAmI reports it (<c>ClientInfo</c>): the scheme and the user ("alice" for digest:alice:..., the address for ip).</summary>
public sealed record ClientInfo(string AuthScheme, string User);
