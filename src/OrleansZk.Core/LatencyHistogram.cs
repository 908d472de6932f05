using System.Diagnostics;

namespace OrleansZk.Core;

/// <summary>
/// Durations in microseconds, counted in log-linear buckets: exact below 4 µs, then four buckets
/// per power of two (each at most 25% wide), up to 2^40 µs. Enough to tell where the time of a
/// request goes (docs/service.md, "Where a write's time goes") at the cost of one increment per
/// sample. Thread-safe: <see cref="Record(long)"/> and <see cref="Snapshot"/> take a lock.
/// </summary>
public sealed class LatencyHistogram
{
    /// <summary>Number of buckets: 4 exact ones (0–3 µs), then 4 per power of two from 2^2 to 2^40.</summary>
    public const int BucketCount = 4 + 4 * 39;

    private readonly object _gate = new();
    private readonly long[] _buckets = new long[BucketCount];
    private long _count;
    private long _sumUs;
    private long _maxUs;

    /// <summary>Records the time since <paramref name="startTimestamp"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public void RecordSince(long startTimestamp) => Record(MicrosecondsBetween(startTimestamp, Stopwatch.GetTimestamp()));

    /// <summary>Records one duration (negative counts as 0).</summary>
    public void Record(long microseconds)
    {
        var us = Math.Max(0, microseconds);
        lock (_gate)
        {
            _buckets[BucketOf(us)]++;
            _count++;
            _sumUs += us;
            if (us > _maxUs) _maxUs = us;
        }
    }

    /// <summary>Forgets everything recorded (a statistics reset: ZooKeeper's srst).</summary>
    public void Reset()
    {
        lock (_gate)
        {
            Array.Clear(_buckets);
            _count = 0;
            _sumUs = 0;
            _maxUs = 0;
        }
    }

    /// <summary>Everything recorded so far: count, sum and maximum (µs), and each bucket's count.</summary>
    public (long Count, long SumUs, long MaxUs, long[] Buckets) Snapshot()
    {
        lock (_gate) return (_count, _sumUs, _maxUs, (long[])_buckets.Clone());
    }

    /// <summary>Microseconds between two <see cref="Stopwatch"/> timestamps.</summary>
    public static long MicrosecondsBetween(long start, long end) => (end - start) * 1_000_000 / Stopwatch.Frequency;

    /// <summary>The bucket of a duration in µs (values from 2^41 µs on share the last bucket).</summary>
    public static int BucketOf(long us)
    {
        if (us < 4) return (int)Math.Max(0, us);
        var log2 = 63 - (int)long.LeadingZeroCount(us);
        if (log2 > 40) return BucketCount - 1;
        var sub = (int)((us >> (log2 - 2)) & 3);
        return 4 * (log2 - 1) + sub;
    }

    /// <summary>The largest duration (µs) bucket <paramref name="bucket"/> holds.</summary>
    public static long UpperBoundOf(int bucket)
    {
        if (bucket < 4) return bucket;
        var log2 = bucket / 4 + 1;
        var sub = bucket % 4;
        return ((4L + sub) << (log2 - 2)) + (1L << (log2 - 2)) - 1;
    }

    /// <summary>
    /// The <paramref name="quantile"/> (0 &lt; q ≤ 1) of bucket counts, as the upper bound of the
    /// bucket holding it (at most 25% above the true value); 0 when there are no samples.
    /// </summary>
    public static long Quantile(IReadOnlyList<long> buckets, double quantile)
    {
        long count = 0;
        foreach (var b in buckets) count += b;
        if (count == 0) return 0;
        var rank = Math.Max(1, (long)Math.Ceiling(quantile * count));
        long seen = 0;
        for (var i = 0; i < buckets.Count; i++)
        {
            seen += buckets[i];
            if (seen >= rank) return UpperBoundOf(i);
        }
        return UpperBoundOf(buckets.Count - 1);
    }
}
