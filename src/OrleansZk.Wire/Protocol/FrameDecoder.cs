using System.Buffers;
using System.Buffers.Binary;

namespace OrleansZk.Wire.Protocol;

/// <summary>What <see cref="FrameDecoder.TryRead"/> found at the start of the buffer.</summary>
public enum FrameStatus
{
    /// <summary>Not a whole frame yet: read more.</summary>
    NeedMore,

    /// <summary>A whole frame (its body, without the length).</summary>
    Frame,

    /// <summary>A four-letter word (before the connect request only): the four bytes, not a length.</summary>
    FourLetterWord,

    /// <summary>A negative length: the connection is closed.</summary>
    NegativeLength,

    /// <summary>A length over the limit (jute.maxbuffer): the connection is closed.</summary>
    TooLong,
}

/// <summary>
/// ZooKeeper's framing: every frame is a 4-byte big-endian length and that many bytes. A length
/// that is negative or larger than <c>jute.maxbuffer</c> ends the connection (as ZooKeeper 3.8's
/// <c>NIOServerCnxn</c>: "Len error"), before a byte of the body is buffered. Before the connect
/// request the first four bytes may instead be a four-letter word (<c>ruok</c>, <c>srvr</c>, ...).
/// Pure: no I/O, no state.
/// </summary>
public static class FrameDecoder
{
    /// <summary>
    /// Looks at the start of <paramref name="buffer"/>: on <see cref="FrameStatus.Frame"/>,
    /// <paramref name="body"/> is the frame's body and <paramref name="consumed"/> the position after
    /// it; on <see cref="FrameStatus.FourLetterWord"/>, <paramref name="word"/> is the word and
    /// <paramref name="consumed"/> the position after it; <paramref name="length"/> is the length read
    /// (for the error cases).
    /// </summary>
    /// <param name="buffer">Bytes received and not consumed yet.</param>
    /// <param name="maxFrameBytes">The largest body accepted (ZooKeeper's jute.maxbuffer).</param>
    /// <param name="beforeConnect">Whether no frame has been read on this connection yet (four-letter words are recognised then only).</param>
    public static FrameStatus TryRead(in ReadOnlySequence<byte> buffer, int maxFrameBytes, bool beforeConnect,
        out ReadOnlySequence<byte> body, out SequencePosition consumed, out int length, out string? word)
    {
        body = default;
        consumed = buffer.Start;
        word = null;
        length = 0;
        if (buffer.Length < 4) return FrameStatus.NeedMore;
        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        length = BinaryPrimitives.ReadInt32BigEndian(prefix);
        if (beforeConnect && FourLetterWords.IsWord(length))
        {
            word = FourLetterWords.Decode(length);
            consumed = buffer.GetPosition(4);
            return FrameStatus.FourLetterWord;
        }
        if (length < 0) return FrameStatus.NegativeLength;
        if (length > maxFrameBytes) return FrameStatus.TooLong;
        if (buffer.Length - 4 < length) return FrameStatus.NeedMore;
        body = buffer.Slice(4, length);
        consumed = body.End;
        return FrameStatus.Frame;
    }
}

/// <summary>ZooKeeper 3.8's four-letter words: the commands it knows, as the int their four ASCII bytes make.</summary>
public static class FourLetterWords
{
    /// <summary>Every word ZooKeeper 3.8 recognises (it refuses the ones not enabled, with a message).</summary>
    public static readonly IReadOnlyList<string> Known =
        ["conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "ruok", "stmk", "srst", "srvr", "stat", "wchc", "wchp", "wchs", "mntr", "isro", "hash"];

    private static readonly HashSet<int> Codes = [.. Known.Select(Encode)];

    public static bool IsWord(int code) => Codes.Contains(code);

    public static int Encode(string word) => BinaryPrimitives.ReadInt32BigEndian(System.Text.Encoding.ASCII.GetBytes(word));

    public static string Decode(int code)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, code);
        return System.Text.Encoding.ASCII.GetString(bytes);
    }
}
