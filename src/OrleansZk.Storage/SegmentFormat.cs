using System.Buffers.Binary;
using OrleansZk.Core;

namespace OrleansZk.Storage;

/// <summary>
/// Byte layout of log segment files (see docs/storage-format.md). All integers little-endian.
/// <code>
/// header (32 bytes): magic "OZKLOG\0\0" | u16 version | u16 flags | u32 0 | i64 baseZxid | u32 0 | u32 crc32c(bytes 0..27)
/// record:            u32 payloadLength | i64 zxid | u32 crc32c(length, zxid, payload) | payload
/// </code>
/// </summary>
internal static class SegmentFormat
{
    public static ReadOnlySpan<byte> Magic => "OZKLOG\0\0"u8;
    public const ushort Version = 1;
    public const int HeaderSize = 32;
    public const int RecordHeaderSize = 16;
    /// <summary>Header flag: this segment starts a new log (<see cref="TxnLog.ResetTo"/>); every
    /// segment before it is superseded.</summary>
    public const ushort FlagReset = 1;
    public const string FilePrefix = "log.";

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
        payload.CopyTo(dst[RecordHeaderSize..]);
        var crc = Crc32C.Append(Crc32C.Compute(dst[..12]), payload);
        BinaryPrimitives.WriteUInt32LittleEndian(dst[12..], crc);
    }

    /// <summary>
    /// Checks the record at <paramref name="pos"/>: it must fit in <paramref name="data"/>, have a
    /// length up to <paramref name="maxPayload"/>, a zxid above <paramref name="prevZxid"/> and a
    /// matching CRC. Returns null when valid, else what is wrong.
    /// </summary>
    public static string? CheckRecord(ReadOnlySpan<byte> data, int pos, long prevZxid, int maxPayload, out long zxid, out int payloadLength)
    {
        zxid = 0;
        payloadLength = 0;
        if (data.Length - pos < RecordHeaderSize) return "record header cut short";
        var len = BinaryPrimitives.ReadUInt32LittleEndian(data[pos..]);
        zxid = BinaryPrimitives.ReadInt64LittleEndian(data[(pos + 4)..]);
        if (len == 0 && zxid == 0) return "zero-filled (end of records)";
        if (zxid <= prevZxid) return $"zxid 0x{zxid:x} not above the previous 0x{prevZxid:x}";
        if (len > (uint)maxPayload) return $"length {len} above the maximum {maxPayload}";
        if (data.Length - pos - RecordHeaderSize < len) return $"payload of {len} bytes cut short";
        payloadLength = (int)len;
        var crc = Crc32C.Append(Crc32C.Compute(data.Slice(pos, 12)), data.Slice(pos + RecordHeaderSize, payloadLength));
        if (crc != BinaryPrimitives.ReadUInt32LittleEndian(data[(pos + 12)..])) return "CRC mismatch";
        return null;
    }
}
