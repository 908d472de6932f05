using System.Buffers.Binary;
using System.Text;

namespace OrleansZk.Wire.Jute;

/// <summary>
/// Writes jute's binary encoding (ZooKeeper's <c>BinaryOutputArchive</c>) into one frame: the 4-byte
/// big-endian length is reserved at the start and filled in by <see cref="ToFrame"/>. Not thread-safe.
/// </summary>
public sealed class JuteWriter
{
    private byte[] _buffer;
    private int _length;

    /// <summary>A writer whose frame starts with the length prefix (<paramref name="framed"/>) or not.</summary>
    public JuteWriter(bool framed = true, int capacity = 256)
    {
        _buffer = new byte[Math.Max(capacity, 16)];
        _length = framed ? 4 : 0;
        Framed = framed;
    }

    /// <summary>Whether the first four bytes are the frame's length.</summary>
    public bool Framed { get; }

    /// <summary>Bytes written so far (the length prefix included).</summary>
    public int Length => _length;

    public JuteWriter WriteInt(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(Grow(4), value);
        return this;
    }

    public JuteWriter WriteLong(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(Grow(8), value);
        return this;
    }

    public JuteWriter WriteBool(bool value)
    {
        Grow(1)[0] = value ? (byte)1 : (byte)0;
        return this;
    }

    /// <summary>A buffer: its length then its bytes; null is length -1.</summary>
    public JuteWriter WriteBuffer(ReadOnlySpan<byte> value, bool isNull = false)
    {
        if (isNull) return WriteInt(-1);
        WriteInt(value.Length);
        value.CopyTo(Grow(value.Length));
        return this;
    }

    public JuteWriter WriteBuffer(byte[]? value) => WriteBuffer(value, value is null);

    /// <summary>A ustring: UTF-8 length then bytes; null is length -1.</summary>
    public JuteWriter WriteString(string? value)
    {
        if (value is null) return WriteInt(-1);
        var count = Encoding.UTF8.GetByteCount(value);
        WriteInt(count);
        Encoding.UTF8.GetBytes(value, Grow(count));
        return this;
    }

    /// <summary>A vector of strings; null is count -1.</summary>
    public JuteWriter WriteStringVector(IReadOnlyCollection<string>? values)
    {
        if (values is null) return WriteInt(-1);
        WriteInt(values.Count);
        foreach (var v in values) WriteString(v);
        return this;
    }

    /// <summary>The bytes written, with the length prefix filled in for a framed writer.</summary>
    public byte[] ToFrame()
    {
        if (Framed) BinaryPrimitives.WriteInt32BigEndian(_buffer, _length - 4);
        return _buffer.AsSpan(0, _length).ToArray();
    }

    /// <summary>The bytes written so far, without copying (valid until the next write); the prefix is filled in as for <see cref="ToFrame"/>.</summary>
    public ReadOnlyMemory<byte> AsFrame()
    {
        if (Framed) BinaryPrimitives.WriteInt32BigEndian(_buffer, _length - 4);
        return _buffer.AsMemory(0, _length);
    }

    private Span<byte> Grow(int count)
    {
        if (_length + count > _buffer.Length) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
