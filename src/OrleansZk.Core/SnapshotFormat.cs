using System.Text;

namespace OrleansZk.Core;

/// <summary>
/// The snapshot file format (see docs/snapshot-format.md): an 8-byte magic "OZKSNAP\0", a u16
/// format version, the i64 zxid the snapshot is as of, then tagged records — ACL definitions,
/// nodes, sessions — in any order (nodes refer to ACLs defined before them), an end record with the
/// node count and the tree digest, and last the CRC-32C of every byte before it. Little-endian;
/// strings are length-prefixed UTF-8 (7-bit encoded length).
/// </summary>
internal static class SnapshotFormat
{
    public static ReadOnlySpan<byte> Magic => "OZKSNAP\0"u8;
    public const ushort Version = 1;
    public const byte TagEnd = 0, TagAcl = 1, TagNode = 2, TagSession = 3;
}

/// <summary>
/// Writes one point-in-time snapshot, a slice at a time. Created by <see cref="DataTree.BeginSnapshot"/>;
/// used on the tree's thread, interleaved with applies.
/// </summary>
public sealed class SnapshotWriter
{
    private readonly DataTree _tree;
    private readonly CrcStream _crc;
    private readonly BinaryWriter _out;
    private readonly int _gen;
    private readonly string[] _keys;
    private readonly Dictionary<AclList, int> _aclIds = new();
    private int _next;
    private long _nodes;
    private ulong _digest;

    internal SnapshotWriter(DataTree tree, Stream output, int gen, string[] keys, SessionEntry[] sessions)
    {
        _tree = tree;
        _gen = gen;
        _keys = keys;
        Zxid = tree.LastZxid;
        _crc = new CrcStream(output);
        _out = new BinaryWriter(_crc, Encoding.UTF8, leaveOpen: true);
        _out.Write(SnapshotFormat.Magic);
        _out.Write(SnapshotFormat.Version);
        _out.Write(Zxid);
        foreach (var s in sessions)
        {
            _out.Write(SnapshotFormat.TagSession);
            _out.Write(s.SessionId);
            _out.Write(s.TimeoutMs);
            _out.Write(s.Password.Length);
            _out.Write(s.Password);
            _digest += DataTree.SessionDigest(s);
        }
    }

    /// <summary>The zxid the snapshot is as of: replay the log from Zxid + 1 after loading it.</summary>
    public long Zxid { get; }

    /// <summary>Set once the snapshot is complete.</summary>
    public SnapshotInfo? Info { get; private set; }

    /// <summary>True once <see cref="Abort"/> was called.</summary>
    public bool Aborted { get; private set; }

    /// <summary>
    /// Abandons an unfinished snapshot: nothing more is written (the output holds an incomplete
    /// snapshot that the loader refuses) and the tree is free for a new snapshot at once. No effect
    /// on a complete one.
    /// </summary>
    public void Abort()
    {
        if (Info != null || Aborted) return;
        Aborted = true;
        _tree.EndSnapshot(this);
    }

    /// <summary>Writes up to <paramref name="maxNodes"/> more nodes; returns true when the snapshot is complete (trailer written, flushed).</summary>
    public bool WriteSome(int maxNodes)
    {
        if (Aborted) throw new InvalidOperationException("the snapshot was aborted");
        if (Info != null) return true;
        for (var written = 0; written < maxNodes && _next < _keys.Length; _next++)
        {
            var path = _keys[_next];
            var node = _tree.OwedNode(path, _gen);
            if (node == null) continue;
            WriteNode(path, node);
            written++;
        }
        if (_next < _keys.Length) return false;
        Finish();
        return true;
    }

    internal void WriteNode(string path, DataNode n)
    {
        if (!_aclIds.TryGetValue(n.Acl, out var aclId))
        {
            aclId = _aclIds.Count;
            _aclIds[n.Acl] = aclId;
            _out.Write(SnapshotFormat.TagAcl);
            _out.Write7BitEncodedInt(aclId);
            _out.Write7BitEncodedInt(n.Acl.Count);
            foreach (var a in n.Acl)
            {
                _out.Write((int)a.Perms);
                _out.Write(a.Id.Scheme);
                _out.Write(a.Id.Id);
            }
        }
        _out.Write(SnapshotFormat.TagNode);
        _out.Write(path);
        _out.Write(n.Data?.Length ?? -1);
        if (n.Data != null) _out.Write(n.Data);
        _out.Write7BitEncodedInt(aclId);
        _out.Write(n.Czxid); _out.Write(n.Mzxid); _out.Write(n.Pzxid);
        _out.Write(n.Ctime); _out.Write(n.Mtime);
        _out.Write(n.Version); _out.Write(n.Cversion); _out.Write(n.Aversion);
        _out.Write(n.EphemeralOwner);
        _nodes++;
        _digest += DataTree.NodeDigest(path, n);
    }

    private void Finish()
    {
        _out.Write(SnapshotFormat.TagEnd);
        _out.Write(_nodes);
        _out.Write(_digest);
        _out.Flush();
        var crc = _crc.Crc;
        _out.Write(crc);
        _out.Flush();
        Info = new SnapshotInfo(Zxid, _nodes, _digest, _crc.Length64);
        _tree.EndSnapshot(this);
    }
}

internal static class SnapshotReader
{
    public static DataTree Read(Stream input, Func<DataTree> newTree)
    {
        var crc = new CrcStream(input);
        using var r = new BinaryReader(crc, Encoding.UTF8, leaveOpen: true);
        try
        {
            if (!r.ReadBytes(8).AsSpan().SequenceEqual(SnapshotFormat.Magic)) throw new InvalidDataException("not an OrleansZk snapshot (bad magic)");
            var version = r.ReadUInt16();
            if (version != SnapshotFormat.Version) throw new InvalidDataException($"snapshot format version {version} is not supported (this build reads {SnapshotFormat.Version})");
            var zxid = r.ReadInt64();
            var tree = newTree();
            var acls = new List<AclList>();
            long nodes = 0;
            ulong digest = 0;
            while (true)
            {
                var tag = r.ReadByte();
                if (tag == SnapshotFormat.TagEnd) break;
                switch (tag)
                {
                    case SnapshotFormat.TagAcl:
                        acls.Add(ReadAcl(r, acls.Count));
                        break;
                    case SnapshotFormat.TagNode:
                        var (path, node) = ReadNode(r, acls);
                        tree.LoadNode(path, node);
                        digest += DataTree.NodeDigest(path, node);
                        nodes++;
                        break;
                    case SnapshotFormat.TagSession:
                        var s = new SessionEntry(r.ReadInt64(), r.ReadInt32(), r.ReadBytes(r.ReadInt32()));
                        tree.LoadSession(s);
                        digest += DataTree.SessionDigest(s);
                        break;
                    default:
                        throw new InvalidDataException($"unknown snapshot record tag {tag}");
                }
            }
            var expectedNodes = r.ReadInt64();
            var expectedDigest = r.ReadUInt64();
            var computed = crc.Crc;
            var stored = r.ReadUInt32();
            if (stored != computed) throw new InvalidDataException($"snapshot CRC mismatch (stored {stored:x8}, computed {computed:x8})");
            if (expectedNodes != nodes || expectedDigest != digest) throw new InvalidDataException("snapshot node count or digest mismatch");
            tree.FinishLoad(zxid);
            return tree;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("snapshot is truncated", e);
        }
    }

    private static AclList ReadAcl(BinaryReader r, int expectedId)
    {
        var id = r.Read7BitEncodedInt();
        if (id != expectedId) throw new InvalidDataException($"snapshot ACL id {id} out of order");
        var count = r.Read7BitEncodedInt();
        var entries = new Acl[count];
        for (var i = 0; i < count; i++) entries[i] = new Acl((Perms)r.ReadInt32(), new ZkId(r.ReadString(), r.ReadString()));
        return new AclList(entries);
    }

    private static (string, DataNode) ReadNode(BinaryReader r, List<AclList> acls)
    {
        var path = r.ReadString();
        var len = r.ReadInt32();
        if (len < -1) throw new InvalidDataException($"bad data length {len} for {path}");
        var data = len < 0 ? null : r.ReadBytes(len);
        if (data != null && data.Length != len) throw new EndOfStreamException();
        var aclId = r.Read7BitEncodedInt();
        if (aclId >= acls.Count) throw new InvalidDataException($"node {path} refers to undefined ACL {aclId}");
        return (path, new DataNode(data, acls[aclId])
        {
            Czxid = r.ReadInt64(), Mzxid = r.ReadInt64(), Pzxid = r.ReadInt64(),
            Ctime = r.ReadInt64(), Mtime = r.ReadInt64(),
            Version = r.ReadInt32(), Cversion = r.ReadInt32(), Aversion = r.ReadInt32(),
            EphemeralOwner = r.ReadInt64(),
        });
    }
}
