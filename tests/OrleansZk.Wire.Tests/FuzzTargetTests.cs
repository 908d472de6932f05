using System.Buffers.Binary;
using OrleansZk.Wire.Fuzz;

namespace OrleansZk.Wire.Tests;

/// <summary>
/// The bounded CI run of the frame decoder's fuzz target (tests/OrleansZk.Wire.Fuzz): the captured
/// client frames, and seeded mutations of them, must give only frames, refusals and typed errors.
/// Not coverage-guided (that is AFL++ with SharpFuzz, README.md of the fuzz project); a failure
/// prints the seed and input that broke it.
/// </summary>
public sealed class FuzzTargetTests
{
    private const int Seed = 2181;
    private const int Inputs = 30_000;

    private static List<byte[]> Corpus() => [.. CaptureTests.Streams().Where(s => s.ToServer).Select(s => s.Bytes)];

    [Fact]
    public void The_captured_connections_pass_through_the_target()
    {
        foreach (var input in Corpus()) FrameFuzzTarget.Run(input);
    }

    [Fact]
    public void Seeded_mutations_of_the_captures_give_only_frames_refusals_and_typed_errors()
    {
        var corpus = Corpus();
        var random = new Random(Seed);
        for (var i = 0; i < Inputs; i++)
        {
            var input = Mutate(corpus[random.Next(corpus.Count)], corpus, random);
            try
            {
                FrameFuzzTarget.Run(input);
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {Seed}, input {i} ({Convert.ToHexString(input)}): {e}");
            }
        }
    }

    private static byte[] Mutate(byte[] source, List<byte[]> corpus, Random random)
    {
        var bytes = source.ToList();
        var edits = random.Next(1, 6);
        for (var e = 0; e < edits && bytes.Count > 0; e++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0: // flip a bit
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1: // cut the rest
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 2: // a random int where a length or count may be
                    var value = random.Next(4) switch { 0 => -1, 1 => random.Next(-8, 64), 2 => int.MaxValue, _ => random.Next() };
                    var span = new byte[4];
                    BinaryPrimitives.WriteInt32BigEndian(span, value);
                    for (var k = 0; k < 4 && at + k < bytes.Count; k++) bytes[at + k] = span[k];
                    break;
                case 3: // random bytes inserted
                    var junk = new byte[random.Next(1, 16)];
                    random.NextBytes(junk);
                    bytes.InsertRange(at, junk);
                    break;
                case 4: // a piece of another capture spliced in
                    var other = corpus[random.Next(corpus.Count)];
                    var from = random.Next(other.Length);
                    bytes.InsertRange(at, other.Skip(from).Take(random.Next(1, 200)));
                    break;
                default: // a byte dropped
                    bytes.RemoveAt(at);
                    break;
            }
        }
        return [.. bytes];
    }
}
