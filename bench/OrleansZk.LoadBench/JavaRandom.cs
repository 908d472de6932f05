namespace OrleansZk.LoadBench;

/// <summary>
/// <c>java.util.Random</c>'s generator (48-bit LCG), so that the data bytes and each mix client's
/// keys and get/set draws are the very ones bench/zookeeper/ZkBench.java uses for the same seed.
/// Not thread-safe.
/// </summary>
internal sealed class JavaRandom(long seed)
{
    private const long Multiplier = 0x5DEECE66DL;
    private const long Addend = 0xBL;
    private const long Mask = (1L << 48) - 1;

    private long _seed = (seed ^ Multiplier) & Mask;

    /// <summary><c>Random.nextInt(bound)</c>: uniform in [0, bound).</summary>
    public int NextInt(int bound)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bound);
        var r = Next(31);
        var m = bound - 1;
        if ((bound & m) == 0) return (int)((bound * (long)r) >> 31);
        for (var u = r; u - (r = u % bound) + m < 0; u = Next(31))
        {
        }
        return r;
    }

    /// <summary><c>Random.nextDouble()</c>: uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (((long)Next(26) << 27) + Next(27)) * (1.0 / (1L << 53));

    /// <summary><c>Random.nextBytes(bytes)</c>.</summary>
    public void NextBytes(byte[] bytes)
    {
        for (int i = 0, len = bytes.Length; i < len;)
        {
            for (int rnd = NextInt(), n = Math.Min(len - i, 4); n-- > 0; rnd >>= 8)
                bytes[i++] = (byte)rnd;
        }
    }

    private int NextInt() => Next(32);

    private int Next(int bits)
    {
        _seed = (_seed * Multiplier + Addend) & Mask;
        return (int)((ulong)_seed >> (48 - bits));
    }
}
