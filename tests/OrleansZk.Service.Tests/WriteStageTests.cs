using OrleansZk.Core;

namespace OrleansZk.Service.Tests;

public sealed class WriteStageTests(ClusterFixture fixture) : ClusterTest(fixture)
{
    [Fact]
    public async Task The_leader_reports_where_its_writes_spent_their_time()
    {
        var before = await LeaderStagesAsync();
        // One write in flight at a time: each is a batch of its own, fsync'd and delivered alone.
        for (var i = 0; i < 20; i++) await Zk.CreateAsync(P($"n{i}"), Bytes("x"));
        var after = await LeaderStagesAsync();

        Assert.Equal(StageLatency.Names, after.Select(s => s.Name));
        var d = after.ToDictionary(s => s.Name, s => s.Since(before.Single(b => b.Name == s.Name)));
        foreach (var name in new[] { StageLatency.Write, StageLatency.LogWait, StageLatency.Fsync, StageLatency.Delivery })
            Assert.True(d[name].Count >= 20, $"{name}: {d[name].Count} samples for 20 writes");
        Assert.True(d[StageLatency.Resume].Count >= 1, "no durable batch was taken up after a wait");
        foreach (var stage in d.Values) Assert.True(stage.QuantileMs(0.5) <= stage.QuantileMs(0.99), stage.Name);
        Assert.True(d[StageLatency.Write].QuantileMs(0.5) > 0);
    }

    private async Task<IReadOnlyList<StageLatency>> LeaderStagesAsync()
    {
        var leader = (await Zk.GetEnsembleStatusAsync()).Single(s => s.Role == "Leading");
        return leader.Stages ?? throw new Xunit.Sdk.XunitException("the leader reports no stages");
    }
}

public sealed class StageLatencyTests
{
    [Fact]
    public void A_snapshot_minus_an_earlier_one_holds_what_was_recorded_in_between()
    {
        var h = new LatencyHistogram();
        for (var i = 0; i < 50; i++) h.Record(100);
        var earlier = StageLatency.Of("s", h);
        for (var i = 0; i < 10; i++) h.Record(20_000);
        var now = StageLatency.Of("s", h);
        var between = now.Since(earlier);
        Assert.Equal(10, between.Count);
        Assert.Equal(200_000, between.SumUs);
        Assert.Equal(20.0, between.AverageMs);
        Assert.InRange(between.QuantileMs(0.5), 20.0, 25.0);
        Assert.InRange(now.QuantileMs(0.5), 0.1, 0.125);
        Assert.Same(now, now.Since(null));
        Assert.Same(earlier, earlier.Since(now)); // not an earlier snapshot: a new activation's histogram
    }
}
