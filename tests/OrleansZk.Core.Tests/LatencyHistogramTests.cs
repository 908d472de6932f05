namespace OrleansZk.Core.Tests;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Buckets_are_contiguous_increasing_and_at_most_a_quarter_wide()
    {
        Assert.Equal(0, LatencyHistogram.BucketOf(-5));
        var previous = -1;
        foreach (var us in Values())
        {
            var bucket = LatencyHistogram.BucketOf(us);
            Assert.InRange(bucket, previous, previous + 1); // increasing values never skip a bucket
            previous = bucket;
            var upper = LatencyHistogram.UpperBoundOf(bucket);
            Assert.True(us <= upper, $"{us} µs is above its bucket's bound {upper}");
            Assert.True(upper <= us + us / 4, $"bucket of {us} µs reaches {upper}");
            if (bucket > 0) Assert.True(LatencyHistogram.UpperBoundOf(bucket - 1) < us, $"{us} µs also fits bucket {bucket - 1}");
        }
        Assert.Equal(LatencyHistogram.BucketCount - 1, previous);
        Assert.Equal(LatencyHistogram.BucketCount - 1, LatencyHistogram.BucketOf(long.MaxValue));
    }

    /// <summary>Every value below 4,096 µs, then every bucket's edges up to 2^41.</summary>
    private static IEnumerable<long> Values()
    {
        for (long us = 0; us < 4096; us++) yield return us;
        for (var bucket = LatencyHistogram.BucketOf(4096); bucket < LatencyHistogram.BucketCount; bucket++)
        {
            var upper = LatencyHistogram.UpperBoundOf(bucket);
            yield return LatencyHistogram.UpperBoundOf(bucket - 1) + 1;
            yield return upper;
        }
    }

    [Fact]
    public void Quantiles_come_from_the_bucket_holding_the_rank()
    {
        var h = new LatencyHistogram();
        for (var i = 1; i <= 100; i++) h.Record(i * 100); // 0.1 ms … 10 ms
        var (count, sum, max, buckets) = h.Snapshot();
        Assert.Equal(100, count);
        Assert.Equal(505_000, sum);
        Assert.Equal(10_000, max);
        var p50 = LatencyHistogram.Quantile(buckets, 0.5);
        Assert.InRange(p50, 5_000, 6_250); // the 50th sample is 5,000 µs
        var p99 = LatencyHistogram.Quantile(buckets, 0.99);
        Assert.InRange(p99, 9_900, 12_375);
        Assert.Equal(LatencyHistogram.UpperBoundOf(LatencyHistogram.BucketOf(100)), LatencyHistogram.Quantile(buckets, 0.001));
        Assert.Equal(0, LatencyHistogram.Quantile(new long[LatencyHistogram.BucketCount], 0.5));
    }

    [Fact]
    public void Reset_forgets_everything_and_counting_goes_on()
    {
        var h = new LatencyHistogram();
        h.Record(5_000);
        h.Record(70);
        h.Reset();
        var (count, sum, max, buckets) = h.Snapshot();
        Assert.Equal((0L, 0L, 0L), (count, sum, max));
        Assert.All(buckets, b => Assert.Equal(0, b));
        h.Record(70);
        (count, sum, max, buckets) = h.Snapshot();
        Assert.Equal((1L, 70L, 70L), (count, sum, max));
        Assert.Equal(1, buckets[LatencyHistogram.BucketOf(70)]);
    }
}
