using System.Buffers;
using OrleansZk.Wire.Jute;
using OrleansZk.Wire.Protocol;

namespace OrleansZk.Wire.Tests;

/// <summary>The framing and the record parser on bad input: every fault is recognised as what it is, before anything could be acted on.</summary>
public sealed class FrameDecoderTests
{
    private static FrameStatus Decode(byte[] bytes, int max = 0xfffff, bool beforeConnect = false) =>
        FrameDecoder.TryRead(new ReadOnlySequence<byte>(bytes), max, beforeConnect, out _, out _, out _, out _);

    [Fact]
    public void Lengths_over_the_limit_or_negative_are_refused_from_the_prefix_alone()
    {
        Assert.Equal(FrameStatus.TooLong, Decode([0x00, 0x10, 0x00, 0x00])); // 0x100000 > 0xfffff
        Assert.Equal(FrameStatus.NeedMore, Decode([0x00, 0x0f, 0xff, 0xff])); // exactly jute.maxbuffer: waits for its body
        Assert.Equal(FrameStatus.TooLong, Decode([0x00, 0x00, 0x04, 0x01], max: 1024));
        Assert.Equal(FrameStatus.NegativeLength, Decode([0xff, 0xff, 0xff, 0xfe]));
        Assert.Equal(FrameStatus.NegativeLength, Decode([0x80, 0x00, 0x00, 0x00]));
    }

    [Fact]
    public void A_frame_is_whole_or_waited_for()
    {
        Assert.Equal(FrameStatus.NeedMore, Decode([]));
        Assert.Equal(FrameStatus.NeedMore, Decode([0x00, 0x00]));
        Assert.Equal(FrameStatus.NeedMore, Decode([0x00, 0x00, 0x00, 0x05, 1, 2, 3, 4]));
        var buffer = new ReadOnlySequence<byte>([0, 0, 0, 2, 7, 8, 9]);
        var status = FrameDecoder.TryRead(buffer, 0xfffff, false, out var body, out var consumed, out var length, out _);
        Assert.Equal(FrameStatus.Frame, status);
        Assert.Equal(2, length);
        Assert.Equal(new byte[] { 7, 8 }, body.ToArray());
        Assert.Equal(6, buffer.Slice(0, consumed).Length);
    }

    [Fact]
    public void Four_letter_words_are_recognised_before_the_connect_request_only()
    {
        var ruok = "ruok"u8.ToArray();
        var status = FrameDecoder.TryRead(new ReadOnlySequence<byte>(ruok), 0xfffff, true, out _, out _, out _, out var word);
        Assert.Equal((FrameStatus.FourLetterWord, "ruok"), (status, word));
        // After the handshake the same bytes are a length (0x72756f6b, over the limit).
        Assert.Equal(FrameStatus.TooLong, Decode(ruok));
        // Not a known word: a length like any other.
        Assert.Equal(FrameStatus.TooLong, Decode("abcd"u8.ToArray(), beforeConnect: true));
    }

    [Fact]
    public void Truncated_and_malformed_records_are_refused()
    {
        // getData without its watch byte.
        Assert.Throws<JuteException>(() => RequestParser.Parse([0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 1, (byte)'/']));
        // A path whose length runs past the frame.
        Assert.Throws<JuteException>(() => RequestParser.Parse([0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 9, (byte)'/', 0]));
        // A negative buffer length other than -1.
        Assert.Throws<JuteException>(() => RequestParser.Parse([0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 1, (byte)'/', 0xff, 0xff, 0xff, 0xfe, 0, 0, 0, 0]));
        // An ACL vector claiming more entries than the frame holds.
        Assert.Throws<JuteException>(() => RequestParser.Parse([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, (byte)'/', 0xff, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff]));
        // Bytes left over after the record.
        Assert.Throws<JuteException>(() => RequestParser.Parse([0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 1, (byte)'/', 0, 42]));
        // A header cut short.
        Assert.Throws<JuteException>(() => RequestParser.Parse([0, 0, 0, 1, 0, 0]));
        // A multi that never ends.
        Assert.Throws<JuteException>(() => RequestParser.Parse([0, 0, 0, 1, 0, 0, 0, 14, 0, 0, 0, 2, 0, 0xff, 0xff, 0xff, 0xff]));
        // A multi holding an op that cannot be part of one.
        Assert.Throws<JuteException>(() => RequestParser.Parse([0, 0, 0, 1, 0, 0, 0, 14, 0, 0, 0, 9, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1, (byte)'/']));
    }

    [Fact]
    public void Unknown_ops_are_named_with_their_xid()
    {
        var e = Assert.Throws<UnknownOpException>(() => RequestParser.Parse([0, 0, 0, 7, 0, 0, 0x03, 0xe7]));
        Assert.Equal((7, 999), (e.Header.Xid, (int)e.Header.Type));
        // reconfig, sasl and the server-internal ops are not taken from clients either.
        foreach (var op in new[] { OpCode.Reconfig, OpCode.Sasl, OpCode.CreateSession, OpCode.DeleteContainer, OpCode.Notification })
            Assert.Throws<UnknownOpException>(() => RequestParser.Parse([0, 0, 0, 1, .. BitConverter.GetBytes(System.Net.IPAddress.HostToNetworkOrder((int)op))]));
    }

    [Fact]
    public void Random_garbage_is_refused_with_a_typed_error_and_nothing_else()
    {
        var random = new Random(13);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            if (bytes.Length >= 8 && random.Next(2) == 0) bytes[4..8].AsSpan().Clear(); // small op codes often
            if (bytes.Length >= 8) bytes[7] = (byte)random.Next(0, 25);
            try
            {
                RequestParser.Parse(bytes);
            }
            catch (Exception e) when (e is JuteException or UnknownOpException)
            {
                // Refused, as it must be: anything else is a bug in the parser.
            }
        }
    }
}

/// <summary>The four-letter words enabled by default: only srvr, as ZooKeeper 3.8.</summary>
public sealed class FourLetterWordSettingTests
{
    [Fact]
    public void By_default_only_srvr_is_answered_and_star_enables_all()
    {
        var defaults = new OrleansZk.Wire.Server.ZkWireOptions();
        Assert.True(defaults.Allows("srvr"));
        Assert.False(defaults.Allows("ruok"));
        Assert.False(defaults.Allows("mntr"));
        Assert.Equal("srvr", new OrleansZk.Grains.ZkServiceOptions().FourLetterWords);
        var all = new OrleansZk.Wire.Server.ZkWireOptions { FourLetterWords = "*" };
        Assert.True(all.Allows("envi") && all.Allows("mntr"));
    }
}
