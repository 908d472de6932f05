using System.Buffers.Binary;

namespace OrleansZk.Zab;

/// <summary>
/// The wire form of a batch of <see cref="ZabMessage"/>s between replicas (docs/zab.md, "Wire
/// format"): a 4-byte header — magic <c>0x5A 0x42</c> ("ZB"), format version, 0 — a message count,
/// then each message's fields, little-endian, in a fixed order. Byte arrays are a length (−1 for
/// null) and the bytes. A host may cut the result into chunks for transport and must rejoin them
/// before <see cref="Decode"/>. Pure: no I/O.
/// </summary>
public static class ZabWire
{
    /// <summary>The format version written and the only one read.</summary>
    public const byte Version = 1;
    private const byte Magic0 = 0x5A, Magic1 = 0x42;

    /// <summary>Encodes <paramref name="messages"/> (any senders and receivers) into one buffer.</summary>
    public static byte[] Encode(IReadOnlyList<ZabMessage> messages)
    {
        var w = new Writer(64 + messages.Sum(SizeHint));
        w.Byte(Magic0); w.Byte(Magic1); w.Byte(Version); w.Byte(0);
        w.Int(messages.Count);
        foreach (var m in messages)
        {
            w.Byte((byte)m.Type); w.Int(m.From); w.Int(m.To);
            w.Long(m.Epoch); w.Long(m.Zxid); w.Long(m.Commit); w.Long(m.Round);
            w.Byte((byte)m.State);
            w.Int(m.Vote.Leader); w.Long(m.Vote.Epoch); w.Long(m.Vote.Zxid);
            w.Long(m.CurrentEpoch); w.Byte(m.Fresh ? (byte)1 : (byte)0);
            w.Byte((byte)m.Kind); w.Long(m.FollowerLastZxid); w.Long(m.TruncateAfter);
            w.Long(m.Context);
            if (m.Snapshot is { } snap) { w.Byte(1); w.Long(snap.Zxid); w.Bytes(snap.Data); }
            else w.Byte(0);
            w.Int(m.Txns.Count);
            foreach (var t in m.Txns) { w.Long(t.Zxid); w.Bytes(t.Payload); }
            w.Bytes(m.Payload);
        }
        return w.ToArray();
    }

    /// <summary>Decodes a buffer made by <see cref="Encode"/>; throws <see cref="InvalidDataException"/> on anything else.</summary>
    public static IReadOnlyList<ZabMessage> Decode(ReadOnlySpan<byte> buffer)
    {
        var r = new Reader(buffer);
        if (r.Byte() != Magic0 || r.Byte() != Magic1) throw new InvalidDataException("not a ZAB message batch (bad magic)");
        var version = r.Byte();
        if (version != Version) throw new InvalidDataException($"ZAB wire format version {version} is not {Version}");
        r.Byte();
        int count = r.Count();
        var messages = new List<ZabMessage>(count);
        for (int i = 0; i < count; i++)
        {
            var type = (MessageType)r.Byte();
            if (!Enum.IsDefined(type)) throw new InvalidDataException($"unknown message type {(int)type}");
            int from = r.Int(), to = r.Int();
            long epoch = r.Long(), zxid = r.Long(), commit = r.Long(), round = r.Long();
            var state = (PeerState)r.Byte();
            var vote = new Vote(r.Int(), r.Long(), r.Long());
            long currentEpoch = r.Long();
            bool fresh = r.Byte() != 0;
            var kind = (SyncKind)r.Byte();
            long followerLast = r.Long(), truncateAfter = r.Long(), context = r.Long();
            ZabSnapshot? snapshot = r.Byte() != 0 ? new ZabSnapshot(r.Long(), r.Bytes() ?? []) : null;
            int txnCount = r.Count();
            var txns = new LogEntry[txnCount];
            for (int t = 0; t < txnCount; t++) txns[t] = new LogEntry(r.Long(), r.Bytes() ?? []);
            messages.Add(new ZabMessage
            {
                Type = type, From = from, To = to, Epoch = epoch, Zxid = zxid, Commit = commit, Round = round,
                State = state, Vote = vote, CurrentEpoch = currentEpoch, Fresh = fresh, Kind = kind,
                FollowerLastZxid = followerLast, TruncateAfter = truncateAfter, Context = context,
                Snapshot = snapshot, Txns = txns, Payload = r.Bytes(),
            });
        }
        if (!r.AtEnd) throw new InvalidDataException("trailing bytes after the last message");
        return messages;
    }

    static int SizeHint(ZabMessage m) =>
        128 + (m.Snapshot?.Data.Length ?? 0) + (m.Payload?.Length ?? 0) + m.Txns.Sum(t => 12 + t.Payload.Length);

    sealed class Writer(int capacity)
    {
        byte[] buffer = new byte[capacity];
        int length;

        Span<byte> Take(int n)
        {
            if (length + n > buffer.Length) Array.Resize(ref buffer, Math.Max(buffer.Length * 2, length + n));
            var span = buffer.AsSpan(length, n);
            length += n;
            return span;
        }

        public void Byte(byte b) => Take(1)[0] = b;
        public void Int(int v) => BinaryPrimitives.WriteInt32LittleEndian(Take(4), v);
        public void Long(long v) => BinaryPrimitives.WriteInt64LittleEndian(Take(8), v);

        public void Bytes(byte[]? b)
        {
            Int(b?.Length ?? -1);
            if (b is { Length: > 0 }) b.CopyTo(Take(b.Length));
        }

        public byte[] ToArray() => buffer.AsSpan(0, length).ToArray();
    }

    ref struct Reader(ReadOnlySpan<byte> buffer)
    {
        readonly ReadOnlySpan<byte> buffer = buffer;
        int offset;

        public readonly bool AtEnd => offset == buffer.Length;

        ReadOnlySpan<byte> Take(int n)
        {
            if (n < 0 || offset + n > buffer.Length) throw new InvalidDataException("truncated ZAB message batch");
            var span = buffer.Slice(offset, n);
            offset += n;
            return span;
        }

        public byte Byte() => Take(1)[0];
        public int Int() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));
        public long Long() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

        /// <summary>A count of items that each take at least one byte: never more than the bytes left.</summary>
        public int Count()
        {
            int n = Int();
            if (n < 0 || n > buffer.Length - offset) throw new InvalidDataException($"bad count {n}");
            return n;
        }

        public byte[]? Bytes()
        {
            int n = Int();
            if (n == -1) return null;
            return Take(n).ToArray();
        }
    }
}
