using System.Buffers;
using OrleansZk.Wire.Jute;
using OrleansZk.Wire.Protocol;

namespace OrleansZk.Wire.Fuzz;

/// <summary>
/// The fuzz target: bytes as a connection would receive them, through the frame decoder and the
/// record parsers exactly as the client port reads them (the first frame a connect request or a
/// four-letter word, then requests), and each reply parser on the same bytes. The only outcomes
/// allowed are frames, the decoder's refusals and the typed parse errors
/// (<see cref="JuteException"/>, <see cref="UnknownOpException"/>); any other exception, or a
/// frame that does not re-encode to its own bytes, is a bug.
/// </summary>
public static class FrameFuzzTarget
{
    /// <summary>A small limit, so long lengths are refused often.</summary>
    public const int MaxFrameBytes = 4096;

    public static void Run(ReadOnlySpan<byte> input)
    {
        var buffer = new ReadOnlySequence<byte>(input.ToArray());
        var beforeConnect = true;
        while (true)
        {
            var status = FrameDecoder.TryRead(buffer, MaxFrameBytes, beforeConnect, out var body, out var consumed, out var length, out var word);
            switch (status)
            {
                case FrameStatus.NeedMore or FrameStatus.NegativeLength:
                    return;
                case FrameStatus.TooLong:
                    if (length <= MaxFrameBytes) throw new InvalidOperationException($"length {length} refused as too long");
                    return;
                case FrameStatus.FourLetterWord:
                    if (!FourLetterWords.Known.Contains(word!)) throw new InvalidOperationException($"unknown word {word}");
                    return;
            }
            var bytes = body.ToArray();
            if (bytes.Length != length) throw new InvalidOperationException("frame length mismatch");
            if (beforeConnect) Connect(bytes);
            else Request(bytes);
            Replies(bytes);
            beforeConnect = false;
            buffer = buffer.Slice(consumed);
        }
    }

    private static void Connect(byte[] bytes)
    {
        try
        {
            var once = Encode(ParseConnect(bytes).Write);
            Stable(once, Encode(ParseConnect(once).Write));
        }
        catch (JuteException)
        {
        }
    }

    private static void Request(byte[] bytes)
    {
        try
        {
            var once = EncodeRequest(bytes);
            Stable(once, EncodeRequest(once));
        }
        catch (Exception e) when (e is JuteException or UnknownOpException)
        {
        }
    }

    private static void Replies(byte[] bytes)
    {
        foreach (var op in Enum.GetValues<OpCode>())
        {
            try
            {
                ResponseParser.Parse(bytes, _ => op);
            }
            catch (JuteException)
            {
            }
        }
    }

    private static ConnectRequest ParseConnect(byte[] bytes)
    {
        var r = new JuteReader(bytes);
        return ConnectRequest.Read(ref r);
    }

    private static byte[] EncodeRequest(byte[] bytes)
    {
        var (header, request) = RequestParser.Parse(bytes);
        return Encode(w =>
        {
            header.Write(w);
            request.Write(w);
        });
    }

    private static byte[] Encode(Action<JuteWriter> write)
    {
        var w = new JuteWriter(framed: false);
        write(w);
        return w.ToFrame();
    }

    /// <summary>
    /// A parsed record, written, parsed and written again, gives the same bytes: the encoding is
    /// stable (the first writing may differ from the input where jute is not one-to-one — a bool
    /// byte other than 0 or 1, UTF-8 that was not valid).
    /// </summary>
    private static void Stable(byte[] once, byte[] twice)
    {
        if (!once.AsSpan().SequenceEqual(twice)) throw new InvalidOperationException("a record does not encode stably");
    }
}
