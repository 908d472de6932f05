using System.Buffers.Binary;
using OrleansZk.Core;
using OrleansZk.Zab;

namespace OrleansZk.Storage;

/// <summary>
/// The ZAB hard state in a file of its own, <c>hardstate</c> in the log directory, replaced
/// atomically (temp file, fsync, rename, directory fsync). Layout (36 bytes, little-endian):
/// magic "OZKHARD\0" | u16 version | u16 0 | u32 0 | i64 currentEpoch | i64 acceptedEpoch | u32 crc32c(bytes 0..31).
/// </summary>
internal static class HardStateFile
{
    public const string FileName = "hardstate";
    private static ReadOnlySpan<byte> Magic => "OZKHARD\0"u8;
    private const ushort Version = 1;
    private const int Size = 36;

    /// <summary>The stored state, or zeros when the file does not exist; throws
    /// <see cref="LogCorruptException"/> when it is damaged (it is never written in place, so
    /// damage is not a torn write).</summary>
    public static HardState Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) return default;
        var b = File.ReadAllBytes(path);
        if (b.Length != Size) throw new LogCorruptException(path, 0, $"hard state file has {b.Length} bytes, expected {Size}");
        if (!b.AsSpan(0, 8).SequenceEqual(Magic)) throw new LogCorruptException(path, 0, "bad magic (not a hard state file)");
        if (BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(32)) != Crc32C.Compute(b.AsSpan(0, 32)))
            throw new LogCorruptException(path, 32, "hard state CRC mismatch");
        var version = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(8));
        if (version != Version) throw new LogCorruptException(path, 8, $"unknown hard state version {version}");
        return new HardState(BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(16)), BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(24)));
    }

    /// <summary>Replaces the file; durable on return when <paramref name="forceSync"/>.</summary>
    public static void Write(string directory, HardState state, bool forceSync)
    {
        Span<byte> b = stackalloc byte[Size];
        b.Clear();
        Magic.CopyTo(b);
        BinaryPrimitives.WriteUInt16LittleEndian(b[8..], Version);
        BinaryPrimitives.WriteInt64LittleEndian(b[16..], state.CurrentEpoch);
        BinaryPrimitives.WriteInt64LittleEndian(b[24..], state.AcceptedEpoch);
        BinaryPrimitives.WriteUInt32LittleEndian(b[32..], Crc32C.Compute(b[..32]));
        FileSync.WriteAtomically(Path.Combine(directory, FileName), b, forceSync);
    }
}
