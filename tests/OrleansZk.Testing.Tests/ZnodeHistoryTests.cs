using OrleansZk.Testing.Linearizability;
using static OrleansZk.Testing.Linearizability.ZnodeInput;
using static OrleansZk.Testing.Linearizability.ZnodeOutput;

namespace OrleansZk.Testing.Tests;

/// <summary>
/// Hand-written histories of one znode, with times in nanoseconds: the valid ones pass, and each
/// doctored one — a stale read, a lost acknowledged write, a write seen before it was issued —
/// is rejected, with the boundary case beside it where the same reads are fine.
/// </summary>
public sealed class ZnodeHistoryTests
{
    [Fact]
    public void Every_request_of_a_sequential_history_follows_ZooKeeper()
    {
        var h = new ZnodeScript()
            .Fail(1, 0, 1, GetData(), NoNode)
            .Ok(1, 2, 3, Exists(), Exists(false))
            .Fail(1, 4, 5, SetData("x"), NoNode)
            .Fail(1, 6, 7, Delete(), NoNode)
            .Ok(1, 10, 11, Create("a"), Ok)
            .Fail(1, 12, 13, Create("again"), NodeExists)
            .Ok(1, 14, 15, GetData(), Get("a", 0))
            .Ok(1, 16, 17, SetData("b"), Set(1))
            .Fail(1, 18, 19, SetData("c", expectedVersion: 0), BadVersion)
            .Ok(1, 20, 21, SetData("c", expectedVersion: 1), Set(2))
            .Ok(1, 22, 23, Exists(), Exists(true, 2))
            .Fail(1, 24, 25, Delete(expectedVersion: 1), BadVersion)
            .Ok(1, 26, 27, Delete(expectedVersion: 2), Ok)
            .Ok(1, 28, 29, Create("d"), Ok)
            .Ok(1, 30, 31, GetData(), Get("d", 0))
            .Ok(1, 32, 33, Delete(), Ok);

        Checks.Linearizable(h.Check());
    }

    [Theory]
    [InlineData(1)] // a re-created node starts again at version 0
    [InlineData(-1)]
    public void A_wrong_version_is_rejected(int version)
    {
        var h = new ZnodeScript()
            .Ok(1, 0, 1, Create("a"), Ok)
            .Ok(1, 2, 3, SetData("b"), Set(1))
            .Ok(1, 4, 5, Delete(), Ok)
            .Ok(1, 6, 7, Create("c"), Ok)
            .Ok(1, 8, 9, GetData(), Get("c", version));

        Checks.Illegal(h.Check());
    }

    [Fact]
    public void A_BadVersion_answer_is_judged_by_the_model()
    {
        var h = new ZnodeScript()
            .Ok(1, 0, 1, Create("a"), Ok)
            .Fail(1, 2, 3, SetData("b", expectedVersion: 0), BadVersion);

        Checks.Illegal(h.Check());
    }

    [Fact]
    public void Concurrent_writes_may_take_effect_in_either_order_and_reads_may_see_either()
    {
        var h = new ZnodeScript()
            .Ok(0, 0, 10, Create("0"), Ok)
            .Ok(1, 20, 100, SetData("a"), Set(2))
            .Ok(2, 20, 100, SetData("b"), Set(1))
            .Ok(3, 25, 30, GetData(), Get("0", 0))
            .Ok(3, 40, 50, GetData(), Get("b", 1))
            .Ok(4, 60, 70, GetData(), Get("a", 2))
            .Ok(3, 110, 120, GetData(), Get("a", 2));

        Checks.Linearizable(h.Check());
    }

    [Fact]
    public void A_read_may_not_go_back_to_a_value_older_than_an_earlier_read_saw()
    {
        var h = new ZnodeScript()
            .Ok(0, 0, 10, Create("0"), Ok)
            .Ok(1, 20, 100, SetData("a"), Set(1))
            .Ok(2, 30, 40, GetData(), Get("a", 1))
            .Ok(3, 50, 60, GetData(), Get("0", 0));

        Checks.Illegal(h.Check());
    }

    [Fact]
    public void A_stale_read_after_a_later_write_completed_is_rejected()
    {
        var stale = new ZnodeScript()
            .Ok(1, 0, 10, Create("a"), Ok)
            .Ok(1, 20, 30, SetData("b"), Set(1))
            .Ok(2, 40, 50, GetData(), Get("a", 0));
        Checks.Illegal(stale.Check());

        // The same read, called while the write was still in flight, may see the old value.
        var concurrent = new ZnodeScript()
            .Ok(1, 0, 10, Create("a"), Ok)
            .Ok(1, 20, 30, SetData("b"), Set(1))
            .Ok(2, 29, 50, GetData(), Get("a", 0));
        Checks.Linearizable(concurrent.Check());
    }

    [Fact]
    public void A_lost_acknowledged_write_is_rejected()
    {
        // setData "b" was acknowledged; every later read misses it, and a conditional write that
        // expects the version from before it succeeds: the service forgot it.
        var lost = new ZnodeScript()
            .Ok(1, 0, 10, Create("a"), Ok)
            .Ok(1, 20, 30, SetData("b"), Set(1))
            .Ok(2, 40, 50, GetData(), Get("a", 0))
            .Ok(3, 60, 70, Exists(), Exists(true, 0))
            .Ok(2, 80, 90, SetData("c", expectedVersion: 0), Set(1));
        Checks.Illegal(lost.Check());

        // An acknowledged create, and a read that started after it says there is no node.
        var lostCreate = new ZnodeScript()
            .Ok(1, 0, 10, Create("a"), Ok)
            .Fail(2, 20, 30, GetData(), NoNode);
        Checks.Illegal(lostCreate.Check());
    }

    [Fact]
    public void A_write_seen_before_it_was_issued_is_rejected()
    {
        var early = new ZnodeScript()
            .Ok(1, 0, 10, Create("a"), Ok)
            .Ok(2, 20, 30, GetData(), Get("b", 1))
            .Ok(1, 40, 50, SetData("b"), Set(1));
        Checks.Illegal(early.Check());

        var overlapping = new ZnodeScript()
            .Ok(1, 0, 10, Create("a"), Ok)
            .Ok(2, 20, 30, GetData(), Get("b", 1))
            .Ok(1, 30, 50, SetData("b"), Set(1));
        Checks.Linearizable(overlapping.Check());
    }

    [Fact]
    public void A_refused_request_took_no_effect_and_constrains_nothing()
    {
        var h = new ZnodeScript()
            .Ok(1, 0, 10, Create("a"), Ok)
            .Fail(1, 20, 30, SetData("b"), Refused)
            .Fail(2, 20, 30, Delete(), Refused)
            .Ok(2, 40, 50, GetData(), Get("a", 0));

        Checks.Linearizable(h.Check());
    }

    [Fact]
    public void Data_compares_by_value_whether_bytes_or_text()
    {
        var h = new ZnodeScript()
            .Ok(1, 0, 10, Create(new byte[] { 0x68, 0x69 }), Ok)
            .Ok(2, 20, 30, GetData(), Get("hi", 0))
            .Ok(2, 40, 50, SetData(new byte[] { 0xFF, 0x00 }), Set(1))
            .Ok(1, 60, 70, GetData(), Get(new byte[] { 0xFF, 0x00 }, 1))
            .Ok(1, 80, 90, SetData((byte[]?)null), Set(2))
            .Ok(2, 100, 110, GetData(), Get(Array.Empty<byte>(), 2));

        Checks.Linearizable(h.Check());
        Assert.NotEqual<ZnodeData>(new byte[] { 0xFF }, new byte[] { 0xFF, 0x00 });
    }

    [Fact]
    public void The_explanation_names_the_key_the_longest_order_found_and_the_operations_that_could_not_be_placed()
    {
        var h = new ZnodeScript("/app/config")
            .Ok(1, 0, 10, Create("a"), Ok)
            .Ok(1, 20, 30, SetData("b"), Set(1))
            .Ok(7, 40, 50, GetData(), Get("a", 0))
            .Ok(8, 45, 55, Exists(), Exists(true, 1));

        var v = Checks.Illegal(h.Check());

        Assert.Equal("/app/config", v.Partition);
        Assert.Equal([0, 1, 3], v.LongestPrefix.Select(o => o.Id)); // the exists fits after the write
        Assert.Equal(2, v.Blocked.Id);
        Assert.Equal([2], v.Unplaced.Select(o => o.Id));
        Assert.Contains("partition /app/config", v.Explanation);
        Assert.Contains("#2 client 7 [+0.000040 ms, +0.000050 ms] getData -> \"a\" v0   <- not allowed in this state", v.Explanation);
        Assert.Contains("State after it: exists, data \"b\", version 1", v.Explanation);
        Assert.Contains("#1 client 1", v.Explanation);
    }

    [Fact]
    public void Only_the_broken_key_of_many_is_reported()
    {
        var h = new ZnodeScript();
        for (var k = 0; k < 50; k++)
        {
            var key = $"/n{k}";
            h.Ok(k, 0, 10, Create("a"), Ok, key)
             .Ok(k, 20, 30, SetData("b"), Set(1), key)
             .Ok(k + 100, 40, 50, GetData(), Get(k == 31 ? "a" : "b", k == 31 ? 0 : 1), key);
        }

        var result = h.Check();

        var v = Checks.Illegal(result);
        Assert.Equal("/n31", v.Partition);
        Assert.Equal(50, result.Partitions);
        Assert.StartsWith("NOT linearizable: 1 partitions (/n31)", result.ToString());
    }
}
