using System.Buffers.Binary;
using System.Text;

namespace OrleansZk.Core;

/// <summary>
/// The binary form of a <see cref="Txn"/>, as it travels in ZAB proposals and lies in the
/// transaction log (see docs/txn-format.md). Deterministic and lossless: decoding an encoding
/// gives an equal transaction, so every replica applies exactly what the leader prepared.
/// Strings are strict UTF-8: a string that is not well-formed UTF-16 cannot be encoded (such
/// ACL ids are refused as InvalidACL at preparation, and paths cannot hold surrogates).
/// </summary>
public static class TxnCodec
{
    public const byte FormatVersion = 1;

    private const byte TagCreate = 1, TagDelete = 2, TagSetData = 3, TagSetAcl = 4, TagCheck = 5,
        TagError = 6, TagMulti = 7, TagCreateSession = 8, TagCloseSession = 9;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static byte[] Encode(Txn txn)
    {
        var ms = new MemoryStream(64);
        using (var w = new BinaryWriter(ms, Utf8, leaveOpen: true))
        {
            w.Write(FormatVersion);
            w.Write(txn.Zxid);
            w.Write(txn.TimeMs);
            w.Write(txn.SessionId);
            w.Write(txn.Xid);
            WriteBody(w, txn.Body);
        }
        return ms.ToArray();
    }

    /// <summary>Decodes one transaction; throws <see cref="InvalidDataException"/> on anything malformed or left over.</summary>
    public static Txn Decode(ReadOnlySpan<byte> bytes)
    {
        var r = new Reader(bytes);
        try
        {
            var version = r.Byte();
            if (version != FormatVersion) throw new InvalidDataException($"txn format version {version} is not supported (this build reads {FormatVersion})");
            var txn = new Txn(r.Int64(), r.Int64(), r.Int64(), r.Int32(), ReadBody(ref r, depth: 0));
            if (!r.AtEnd) throw new InvalidDataException("trailing bytes after a txn");
            return txn;
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException("txn is truncated", e);
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException("txn holds invalid UTF-8", e);
        }
    }

    private static void WriteBody(BinaryWriter w, TxnBody body)
    {
        switch (body)
        {
            case CreateTxn c:
                w.Write(TagCreate); w.Write(c.Path); WriteData(w, c.Data); WriteAcl(w, c.Acl); w.Write(c.EphemeralOwner); w.Write(c.ParentCversion);
                break;
            case DeleteTxn d:
                w.Write(TagDelete); w.Write(d.Path);
                break;
            case SetDataTxn s:
                w.Write(TagSetData); w.Write(s.Path); WriteData(w, s.Data); w.Write(s.Version);
                break;
            case SetAclTxn a:
                w.Write(TagSetAcl); w.Write(a.Path); WriteAcl(w, a.Acl); w.Write(a.Aversion);
                break;
            case CheckTxn k:
                w.Write(TagCheck); w.Write(k.Path); w.Write(k.Version);
                break;
            case ErrorTxn e:
                w.Write(TagError); w.Write((int)e.Code);
                break;
            case MultiTxn m:
                w.Write(TagMulti); w.Write7BitEncodedInt(m.Ops.Count);
                foreach (var op in m.Ops)
                {
                    if (op is MultiTxn) throw new ArgumentException("a multi cannot contain a multi", nameof(body));
                    WriteBody(w, op);
                }
                break;
            case CreateSessionTxn cs:
                w.Write(TagCreateSession); w.Write(cs.SessionId); w.Write(cs.TimeoutMs); WriteData(w, cs.Password);
                break;
            case CloseSessionTxn cl:
                w.Write(TagCloseSession); w.Write(cl.SessionId); w.Write7BitEncodedInt(cl.PathsToDelete.Count);
                foreach (var p in cl.PathsToDelete) w.Write(p);
                break;
            default:
                throw new ArgumentException($"cannot encode a {body.GetType().Name}", nameof(body));
        }
    }

    private static TxnBody ReadBody(ref Reader r, int depth)
    {
        var tag = r.Byte();
        switch (tag)
        {
            case TagCreate: return new CreateTxn(r.String(), r.Data(), ReadAcl(ref r), r.Int64(), r.Int32());
            case TagDelete: return new DeleteTxn(r.String());
            case TagSetData: return new SetDataTxn(r.String(), r.Data(), r.Int32());
            case TagSetAcl: return new SetAclTxn(r.String(), ReadAcl(ref r), r.Int32());
            case TagCheck: return new CheckTxn(r.String(), r.Int32());
            case TagError: return new ErrorTxn((ZkErrorCode)r.Int32());
            case TagMulti when depth == 0:
                {
                    var n = r.Count();
                    var ops = new TxnBody[n];
                    for (var i = 0; i < n; i++) ops[i] = ReadBody(ref r, depth + 1);
                    return new MultiTxn(ops);
                }
            case TagCreateSession: return new CreateSessionTxn(r.Int64(), r.Int32(), r.Data() ?? throw new InvalidDataException("a session without a password"));
            case TagCloseSession:
                {
                    var id = r.Int64();
                    var n = r.Count();
                    var paths = new string[n];
                    for (var i = 0; i < n; i++) paths[i] = r.String();
                    return new CloseSessionTxn(id, paths);
                }
            default:
                throw new InvalidDataException($"unknown txn body tag {tag}");
        }
    }

    private static void WriteData(BinaryWriter w, byte[]? data)
    {
        w.Write(data?.Length ?? -1);
        if (data != null) w.Write(data);
    }

    private static void WriteAcl(BinaryWriter w, AclList acl)
    {
        w.Write7BitEncodedInt(acl.Count);
        foreach (var a in acl)
        {
            w.Write((int)a.Perms);
            w.Write(a.Id.Scheme);
            w.Write(a.Id.Id);
        }
    }

    private static AclList ReadAcl(ref Reader r)
    {
        var n = r.Count();
        var entries = new Acl[n];
        for (var i = 0; i < n; i++) entries[i] = new Acl((Perms)r.Int32(), new ZkId(r.String(), r.String()));
        return new AclList(entries);
    }

    /// <summary>Reads what <see cref="BinaryWriter"/> wrote, from a span; out-of-range reads throw ArgumentOutOfRangeException.</summary>
    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _pos;

        public readonly bool AtEnd => _pos == _bytes.Length;

        private ReadOnlySpan<byte> Take(int n)
        {
            if (n < 0 || n > _bytes.Length - _pos) throw new ArgumentOutOfRangeException(nameof(n));
            var s = _bytes.Slice(_pos, n);
            _pos += n;
            return s;
        }

        public byte Byte() => Take(1)[0];
        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));
        public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

        public int Count()
        {
            int value = 0, shift = 0;
            while (true)
            {
                var b = Byte();
                value |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) break;
                shift += 7;
                if (shift > 28) throw new InvalidDataException("bad 7-bit encoded length");
            }
            if (value < 0 || value > _bytes.Length) throw new InvalidDataException($"bad length {value}");
            return value;
        }

        public string String() => Utf8.GetString(Take(Count()));

        public byte[]? Data()
        {
            var len = Int32();
            if (len < -1) throw new InvalidDataException($"bad data length {len}");
            return len < 0 ? null : Take(len).ToArray();
        }
    }
}
