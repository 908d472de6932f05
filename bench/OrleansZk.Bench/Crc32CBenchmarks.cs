using BenchmarkDotNet.Attributes;
using OrleansZk.Core;

namespace OrleansZk.Bench;

/// <summary>
/// The CRC-32C of a buffer of <see cref="Bytes"/> bytes (a log record's size up to a snapshot
/// chunk's): <see cref="Crc32C.Compute"/> (eight bytes per CPU CRC instruction) against
/// <see cref="TableByteAtATime"/>, the byte-at-a-time table it replaced, kept here as the baseline.
/// Each invocation checksums 64 MiB in buffers of that size (OperationsPerInvoke = bytes), so
/// Mean / Median are ns per byte and Op/s is bytes per second.
/// </summary>
[Config(typeof(BenchConfig))]
[MemoryDiagnoser]
public class Crc32CThroughput
{
    private const int TotalBytes = 64 << 20;
    private static readonly uint[] Table = BuildTable();

    [Params(100, 4_096, 1 << 20)]
    public int Bytes { get; set; }

    private byte[] _data = [];
    private int _buffers;

    [GlobalSetup]
    public void GlobalSetup()
    {
        _data = new byte[Bytes];
        new Random(42).NextBytes(_data);
        _buffers = TotalBytes / Bytes;
        if (Crc32C.Compute(_data) != TableByteAtATime(_data)) throw new InvalidOperationException("the two CRCs differ");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = TotalBytes)]
    public uint Table_byte_at_a_time()
    {
        uint crc = 0;
        for (var i = 0; i < _buffers; i++) crc ^= TableByteAtATime(_data);
        return crc;
    }

    [Benchmark(OperationsPerInvoke = TotalBytes)]
    public uint Crc_instruction()
    {
        uint crc = 0;
        for (var i = 0; i < _buffers; i++) crc ^= Crc32C.Compute(_data);
        return crc;
    }

    private static uint TableByteAtATime(ReadOnlySpan<byte> data)
    {
        var c = 0xFFFF_FFFFu;
        foreach (var b in data) c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
        return ~c;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0x82F6_3B78u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }
}
