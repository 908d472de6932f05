using OrleansZk.Core;

namespace OrleansZk.Core.Tests;

/// <summary>
/// The CRC that frames every snapshot and log record: it must stay the same function whatever
/// computes it, or data written before a change would read as corrupt after it.
/// </summary>
public class Crc32CTests
{
    /// <summary>The definition, one bit at a time: reflected polynomial 0x82F63B78, all-ones
    /// initial value and final XOR. Slow and obviously right.</summary>
    static uint Reference(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFF_FFFF;
        foreach (var b in data)
        {
            c ^= b;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0x82F6_3B78u ^ (c >> 1) : c >> 1;
        }
        return ~c;
    }

    public static TheoryData<string, uint> KnownVectors() => new()
    {
        // The check value of CRC-32C, and the test vectors of RFC 3720 (iSCSI), appendix B.4.
        { "313233343536373839", 0xE306_9283 },
        { new string('0', 64), 0x8A91_36AA },
        { string.Concat(Enumerable.Repeat("ff", 32)), 0x62A8_AB43 },
        { string.Concat(Enumerable.Range(0, 32).Select(i => i.ToString("x2"))), 0x46DD_794E },
        { string.Concat(Enumerable.Range(0, 32).Select(i => (31 - i).ToString("x2"))), 0x113F_DB5C },
        { "", 0 },
    };

    [Theory]
    [MemberData(nameof(KnownVectors))]
    public void Known_vectors(string hex, uint expected)
    {
        var data = Convert.FromHexString(hex);
        Assert.Equal(expected, Reference(data));
        Assert.Equal(expected, Crc32C.Compute(data));
    }

    [Fact]
    public void Every_length_and_alignment_matches_the_definition()
    {
        var random = new Random(7);
        var buffer = new byte[300];
        random.NextBytes(buffer);
        for (var offset = 0; offset < 8; offset++)
        {
            for (var length = 0; length + offset <= buffer.Length; length++)
            {
                var span = buffer.AsSpan(offset, length);
                Assert.Equal(Reference(span), Crc32C.Compute(span));
            }
        }
    }

    [Fact]
    public void Appending_in_pieces_equals_computing_the_whole()
    {
        var random = new Random(11);
        var data = new byte[77];
        random.NextBytes(data);
        var whole = Crc32C.Compute(data);
        for (var a = 0; a <= data.Length; a++)
        {
            for (var b = a; b <= data.Length; b += 5)
            {
                var crc = Crc32C.Append(Crc32C.Append(Crc32C.Append(0, data.AsSpan(0, a)), data.AsSpan(a, b - a)), data.AsSpan(b));
                Assert.Equal(whole, crc);
            }
        }
    }
}
