using System.Buffers.Binary;
using System.Numerics;

namespace OrleansZk.Core;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, initial value and final XOR all ones);
/// frames snapshots and log records. Eight bytes at a time through
/// <see cref="BitOperations.Crc32C(uint, ulong)"/>, which is the CPU's CRC instruction where there
/// is one (SSE 4.2, ARMv8) and a table in software elsewhere — the same checksum either way.
/// </summary>
public static class Crc32C
{
    /// <summary>Continues a CRC: start with 0, feed spans in order.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        var c = ~crc;
        while (data.Length >= 8)
        {
            c = BitOperations.Crc32C(c, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        if (data.Length >= 4)
        {
            c = BitOperations.Crc32C(c, BinaryPrimitives.ReadUInt32LittleEndian(data));
            data = data[4..];
        }
        foreach (var b in data) c = BitOperations.Crc32C(c, b);
        return ~c;
    }

    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);
}

/// <summary>A write-only or read-only stream wrapper that keeps a running CRC-32C of the bytes that pass.</summary>
internal sealed class CrcStream(Stream inner) : Stream
{
    public uint Crc { get; private set; }
    public long Length64 { get; private set; }

    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => false;
    public override bool CanWrite => inner.CanWrite;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => Length64; set => throw new NotSupportedException(); }
    public override void Flush() => inner.Flush();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = inner.Read(buffer, offset, count);
        Crc = Crc32C.Append(Crc, buffer.AsSpan(offset, n));
        Length64 += n;
        return n;
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        Crc = Crc32C.Append(Crc, buffer.AsSpan(offset, count));
        Length64 += count;
        inner.Write(buffer, offset, count);
    }
}
