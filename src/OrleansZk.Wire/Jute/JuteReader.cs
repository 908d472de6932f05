using System.Buffers.Binary;
using System.Text;

namespace OrleansZk.Wire.Jute;

/// <summary>
/// Reads jute's binary encoding (ZooKeeper's <c>BinaryInputArchive</c>) from one whole frame:
/// big-endian int, long and one-byte bool; a buffer or string is an int length then that many bytes
/// (-1: null; strings are UTF-8); a vector is an int count then its elements (-1: null).
/// Every read checks the bytes are there and throws <see cref="JuteException"/> otherwise, so a
/// truncated or malformed frame can never read past its end or allocate more than it holds.
/// </summary>
public ref struct JuteReader(ReadOnlySpan<byte> frame)
{
    private readonly ReadOnlySpan<byte> _frame = frame;
    private int _position;

    /// <summary>Bytes not read yet.</summary>
    public readonly int Remaining => _frame.Length - _position;

    /// <summary>Whether every byte has been read.</summary>
    public readonly bool AtEnd => _position == _frame.Length;

    public int ReadInt() => BinaryPrimitives.ReadInt32BigEndian(Take(4, "int"));

    public long ReadLong() => BinaryPrimitives.ReadInt64BigEndian(Take(8, "long"));

    /// <summary>A bool: one byte, 0 false and anything else true (as Java's <c>readBoolean</c>).</summary>
    public bool ReadBool() => Take(1, "bool")[0] != 0;

    /// <summary>A buffer: null for length -1; a length below -1 or beyond the frame is malformed.</summary>
    public byte[]? ReadBuffer()
    {
        var length = ReadLength("buffer");
        return length < 0 ? null : Take(length, "buffer").ToArray();
    }

    /// <summary>A ustring: UTF-8 bytes with a length (null for -1); bad UTF-8 becomes U+FFFD, as Java's decoder does.</summary>
    public string? ReadString()
    {
        var length = ReadLength("string");
        return length < 0 ? null : Encoding.UTF8.GetString(Take(length, "string"));
    }

    /// <summary>A vector's element count: -1 for null; each element needs at least <paramref name="minElementBytes"/> bytes, so a count the frame cannot hold is malformed.</summary>
    public int ReadVectorCount(int minElementBytes)
    {
        var count = ReadInt();
        if (count < -1) throw new JuteException($"vector count {count} is negative");
        if (count > 0 && (long)count * minElementBytes > Remaining)
            throw new JuteException($"vector count {count} exceeds the {Remaining} bytes left in the frame");
        return count;
    }

    /// <summary>A vector of strings (null for -1).</summary>
    public List<string>? ReadStringVector()
    {
        var count = ReadVectorCount(4);
        if (count < 0) return null;
        var list = new List<string>(count);
        for (var i = 0; i < count; i++) list.Add(ReadString() ?? throw new JuteException("a null string in a vector"));
        return list;
    }

    /// <summary>Throws unless every byte of the frame was read: trailing bytes mean the record was not what its op code says.</summary>
    public readonly void ExpectEnd(string record)
    {
        if (!AtEnd) throw new JuteException($"{Remaining} bytes left over after {record}");
    }

    private int ReadLength(string what)
    {
        var length = ReadInt();
        if (length < -1) throw new JuteException($"{what} length {length} is negative");
        if (length > Remaining) throw new JuteException($"{what} length {length} exceeds the {Remaining} bytes left in the frame");
        return length;
    }

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        if (count > Remaining) throw new JuteException($"the frame ends inside a {what} ({Remaining} of {count} bytes)");
        var span = _frame.Slice(_position, count);
        _position += count;
        return span;
    }
}
