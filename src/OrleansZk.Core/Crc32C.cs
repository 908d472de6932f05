namespace OrleansZk.Core;

/// <summary>CRC-32C (Castagnoli), table-driven; used to frame snapshots and log records.</summary>
public static class Crc32C
{
    private static readonly uint[] Table = BuildTable();

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }

    /// <summary>Continues a CRC: start with 0, feed spans in order.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        var c = ~crc;
        foreach (var b in data) c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
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
