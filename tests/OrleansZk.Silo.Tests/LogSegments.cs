using System.Buffers.Binary;
using OrleansZk.Core;

namespace OrleansZk.Silo.Tests;

/// <summary>Reads a replica's log segments as docs/storage-format.md lays them out, to damage them on purpose.</summary>
public static class LogSegments
{
    private const int SegmentHeaderBytes = 32;
    private const int RecordHeaderBytes = 20;

    /// <summary>One record: where it starts, its payload length and zxid.</summary>
    public sealed record Record(long Offset, int PayloadLength, long Zxid)
    {
        public long End => Offset + RecordHeaderBytes + PayloadLength;
    }

    /// <summary>The newest segment of the replica whose store is <paramref name="replicaDir"/> (<c>DataDir/replica-N</c>).</summary>
    public static string Newest(string replicaDir) =>
        Directory.GetFiles(Path.Combine(replicaDir, "log"), "log.*")
            .Where(f => !f.EndsWith(".tmp", StringComparison.Ordinal))
            .OrderBy(f => f, StringComparer.Ordinal)
            .Last();

    /// <summary>The segment's valid records, in order, up to the first zero or invalid header.</summary>
    public static List<Record> Read(string segment)
    {
        var bytes = File.ReadAllBytes(segment);
        Assert.True(bytes.AsSpan(0, 8).SequenceEqual("OZKLOG\0\0"u8), $"{segment} is not a log segment");
        var records = new List<Record>();
        long offset = SegmentHeaderBytes;
        while (offset + RecordHeaderBytes <= bytes.Length)
        {
            var header = bytes.AsSpan((int)offset, RecordHeaderBytes);
            if (Crc32C.Compute(header[..16]) != BinaryPrimitives.ReadUInt32LittleEndian(header[16..])) break;
            var length = BinaryPrimitives.ReadInt32LittleEndian(header);
            if (offset + RecordHeaderBytes + length > bytes.Length) break;
            records.Add(new Record(offset, length, BinaryPrimitives.ReadInt64LittleEndian(header[4..])));
            offset += RecordHeaderBytes + length;
        }
        return records;
    }
}
