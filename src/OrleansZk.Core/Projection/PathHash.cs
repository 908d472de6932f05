using System.Numerics;

namespace OrleansZk.Core;

/// <summary>
/// The stable hash that places a path in a partition: FNV-1a (64-bit) over the path's UTF-16
/// code units, folded to 32 bits. Never <see cref="string.GetHashCode()"/>, which differs per
/// process; this one is part of the service's contract (client and silos must agree).
/// </summary>
public static class PathHash
{
    public static ulong Hash(string path)
    {
        var h = 14695981039346656037UL;
        foreach (var c in path)
        {
            h ^= c;
            h *= 1099511628211UL;
        }
        return h;
    }

    /// <summary>The partition of <paramref name="path"/> among <paramref name="partitions"/> (a power of two).</summary>
    public static int PartitionOf(string path, int partitions)
    {
        var h = Hash(path);
        return (int)((uint)(h ^ (h >> 32)) & (uint)(partitions - 1));
    }

    public static bool IsValidPartitionCount(int partitions) =>
        partitions is >= 1 and <= 1 << 16 && BitOperations.IsPow2(partitions);
}
