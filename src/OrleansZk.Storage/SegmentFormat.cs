using System.Buffers.Binary;
using OrleansZk.Core;

namespace OrleansZk.Storage;

/// <summary>
/// Byte layout of log segment files (see docs/storage-format.md). All integers little-endian.
/// <code>
/// header (32 bytes): magic "OZKLOG\0\0" | u16 version | u16 flags | u32 0 | i64 baseZxid | u32 0 | u32 crc32c(bytes 0..27)
/// record:            u32 payloadLength | i64 zxid | u32 crc32c(payload) | u32 crc32c(bytes 0..15 of the record) | payload
/// </code>
/// The header has a CRC of its own so that recovery, searching damaged bytes for a valid record,
/// rejects almost every offset after 16 bytes instead of hashing a bogus multi-megabyte "payload".
/// </summary>
internal static class SegmentFormat
{
    public static ReadOnlySpan<byte> Magic => "OZKLOG\0\0"u8;
    public const ushort Version = 1;
    public const int HeaderSize = 32;
    public const int RecordHeaderSize = 20;
    /// <summary>Header flag: this segment starts a new log (<see cref="TxnLog.ResetTo"/>); every
    /// segment before it is superseded.</summary>
    public const ushort FlagReset = 1;
    public const string FilePrefix = "log.";
    /// <summary>The format's cap on a payload (1 GiB). Recovery checks lengths against this, never
    /// against <see cref="StorageOptions.MaxRecordBytes"/>: lowering that setting must not turn
    /// records already written into "damage".</summary>
    public const int MaxPayload = 1 << 30;

    public static string FileName(long seq) => $"{FilePrefix}{seq:x16}";

    public static bool TryParseFileName(string fileName, out long seq)
    {
        seq = 0;
        return fileName.Length == FilePrefix.Length + 16 && fileName.StartsWith(FilePrefix, StringComparison.Ordinal)
            && long.TryParse(fileName.AsSpan(FilePrefix.Length), System.Globalization.NumberStyles.AllowHexSpecifier, null, out seq);
    }

    public static void WriteHeader(Span<byte> dst, long baseZxid, ushort flags)
    {
        dst[..HeaderSize].Clear();
        Magic.CopyTo(dst);
        BinaryPrimitives.WriteUInt16LittleEndian(dst[8..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(dst[10..], flags);
        BinaryPrimitives.WriteInt64LittleEndian(dst[16..], baseZxid);
        BinaryPrimitives.WriteUInt32LittleEndian(dst[28..], Crc32C.Compute(dst[..28]));
    }

    /// <summary>Parses a header; returns null when valid, else what is wrong.</summary>
    public static string? ReadHeader(ReadOnlySpan<byte> src, out long baseZxid, out ushort flags)
    {
        baseZxid = 0;
        flags = 0;
        if (src.Length < HeaderSize) return $"file shorter than the {HeaderSize}-byte header";
        if (!src[..8].SequenceEqual(Magic)) return "bad magic (not a log segment)";
        if (BinaryPrimitives.ReadUInt32LittleEndian(src[28..]) != Crc32C.Compute(src[..28])) return "header CRC mismatch";
        var version = BinaryPrimitives.ReadUInt16LittleEndian(src[8..]);
        if (version != Version) return $"unknown format version {version}";
        flags = BinaryPrimitives.ReadUInt16LittleEndian(src[10..]);
        baseZxid = BinaryPrimitives.ReadInt64LittleEndian(src[16..]);
        return null;
    }

    public static int RecordSize(int payloadLength) => RecordHeaderSize + payloadLength;

    /// <summary>Frames one record into <paramref name="dst"/> (exactly <see cref="RecordSize"/> bytes).</summary>
    public static void WriteRecord(Span<byte> dst, long zxid, ReadOnlySpan<byte> payload)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(dst, (uint)payload.Length);
        BinaryPrimitives.WriteInt64LittleEndian(dst[4..], zxid);
        BinaryPrimitives.WriteUInt32LittleEndian(dst[12..], Crc32C.Compute(payload));
        BinaryPrimitives.WriteUInt32LittleEndian(dst[16..], Crc32C.Compute(dst[..16]));
        payload.CopyTo(dst[RecordHeaderSize..]);
    }

    /// <summary>
    /// Checks the record at <paramref name="pos"/>: it must fit in <paramref name="data"/>, have a
    /// header CRC that matches, a zxid above <paramref name="prevZxid"/>, a length up to
    /// <paramref name="maxPayload"/> and a payload CRC that matches. Returns null when valid, else
    /// what is wrong.
    /// </summary>
    public static string? CheckRecord(ReadOnlySpan<byte> data, int pos, long prevZxid, int maxPayload, out long zxid, out int payloadLength)
    {
        zxid = 0;
        payloadLength = 0;
        if (data.Length - pos < RecordHeaderSize) return "record header cut short";
        var header = data.Slice(pos, RecordHeaderSize);
        if (header.IndexOfAnyExcept((byte)0) < 0) return "zero-filled (end of records)";
        if (BinaryPrimitives.ReadUInt32LittleEndian(header[16..]) != Crc32C.Compute(header[..16])) return "record header CRC mismatch";
        var len = BinaryPrimitives.ReadUInt32LittleEndian(header);
        zxid = BinaryPrimitives.ReadInt64LittleEndian(header[4..]);
        if (zxid <= prevZxid) return $"zxid 0x{zxid:x} not above the previous 0x{prevZxid:x}";
        if (len > (uint)maxPayload) return $"length {len} above the maximum {maxPayload}";
        if (data.Length - pos - RecordHeaderSize < len) return $"payload of {len} bytes cut short";
        payloadLength = (int)len;
        if (BinaryPrimitives.ReadUInt32LittleEndian(header[12..]) != Crc32C.Compute(data.Slice(pos + RecordHeaderSize, payloadLength)))
            return "payload CRC mismatch";
        return null;
    }
}
