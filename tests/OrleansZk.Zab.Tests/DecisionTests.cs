using OrleansZk.Zab;

namespace OrleansZk.Zab.Tests;

/// <summary>The small pure decisions: zxid arithmetic, vote order, quorum, sync planner.</summary>
public class DecisionTests
{
    [Fact]
    public void Zxid_packs_epoch_and_counter()
    {
        long z = Zxid.Make(7, 42);
        Assert.Equal(7, Zxid.Epoch(z));
        Assert.Equal(42, Zxid.Counter(z));
        Assert.Equal("7:42", Zxid.Format(z));
        Assert.True(Zxid.Make(2, 1) > Zxid.Make(1, 0xFFFF_FFF0));
        Assert.Equal(Zxid.Make(3, 1), Zxid.Next(Zxid.Make(2, 9), 3));
        Assert.Equal(Zxid.Make(3, 10), Zxid.Next(Zxid.Make(3, 9), 3));
    }

    [Fact]
    public void Votes_order_by_current_epoch_then_zxid_then_id()
    {
        var behindButNewerEpoch = new Vote(1, 5, Zxid.Make(4, 9));
        var aheadOlderEpoch = new Vote(3, 4, Zxid.Make(4, 20));
        Assert.True(VoteOrder.Compare(behindButNewerEpoch, aheadOlderEpoch) > 0);
        Assert.True(VoteOrder.Compare(new Vote(1, 5, 10), new Vote(2, 5, 9)) > 0);
        Assert.True(VoteOrder.Compare(new Vote(2, 5, 10), new Vote(1, 5, 10)) > 0);
        Assert.Equal(new Vote(2, 5, 10), VoteOrder.Max(new Vote(1, 5, 10), new Vote(2, 5, 10)));
        Assert.True(VoteOrder.IsAhead(5, 1, 4, 100));
        Assert.False(VoteOrder.IsAhead(5, 1, 5, 1));
    }

    [Theory]
    [InlineData(1, 3, false)]
    [InlineData(2, 3, true)]
    [InlineData(2, 5, false)]
    [InlineData(3, 5, true)]
    [InlineData(2, 4, false)]
    [InlineData(1, 1, true)]
    public void Majority(int count, int size, bool quorum) => Assert.Equal(quorum, MajorityQuorum.Instance.IsQuorum(count, size));

    [Fact]
    public void Quorum_match_is_the_highest_zxid_a_majority_logged()
    {
        long[] five = [50, 10, 40, 20, 30];
        Assert.Equal(30, QuorumMath.QuorumMatch(MajorityQuorum.Instance, 5, five));
        long[] three = [9, 3, 7];
        Assert.Equal(7, QuorumMath.QuorumMatch(MajorityQuorum.Instance, 3, three));
        long[] alone = [9];
        Assert.Equal(long.MinValue, QuorumMath.QuorumMatch(MajorityQuorum.Instance, 3, alone));
    }

    sealed class Log(long baseZxid, params long[] zxids) : ILogIndex
    {
        public long BaseZxid => baseZxid;
        public long LastZxid => zxids.Length > 0 ? zxids[^1] : baseZxid;
        public bool Contains(long z) => z == baseZxid || zxids.Contains(z);
        public long Floor(long z) => z < baseZxid ? -1 : zxids.Where(x => x <= z).DefaultIfEmpty(baseZxid).Max();
        public int CountAfter(long z) => zxids.Count(x => x > z);
    }

    static long Z(long e, long c) => Zxid.Make(e, c);

    [Fact]
    public void Planner_diffs_a_follower_whose_log_is_a_prefix()
    {
        var log = new Log(0, Z(1, 1), Z(1, 2), Z(2, 1));
        Assert.Equal(new SyncPlan(SyncKind.Diff, 0, Z(1, 2)), new SyncPlanner(100).Plan(Z(1, 2), log));
        Assert.Equal(new SyncPlan(SyncKind.Diff, 0, Z(2, 1)), new SyncPlanner(100).Plan(Z(2, 1), log));
        Assert.Equal(new SyncPlan(SyncKind.Diff, 0, 0), new SyncPlanner(100).Plan(0, log));
    }

    [Fact]
    public void Planner_truncates_an_uncommitted_tail()
    {
        var log = new Log(0, Z(1, 1), Z(1, 2), Z(2, 1));
        // follower logged 1:3 which the leader never had
        Assert.Equal(new SyncPlan(SyncKind.Trunc, Z(1, 2), Z(1, 2)), new SyncPlanner(100).Plan(Z(1, 3), log));
        // follower ahead of the leader within the leader's own epoch
        Assert.Equal(new SyncPlan(SyncKind.Trunc, Z(2, 1), Z(2, 1)), new SyncPlanner(100).Plan(Z(2, 5), log));
    }

    [Fact]
    public void Planner_snaps_a_follower_behind_the_compacted_log_or_too_far_behind()
    {
        var compacted = new Log(Z(1, 50), Z(1, 51), Z(1, 52));
        Assert.Equal(SyncKind.Snap, new SyncPlanner(100).Plan(Z(1, 10), compacted).Kind);
        var log = new Log(0, Enumerable.Range(1, 20).Select(i => Z(1, i)).ToArray());
        Assert.Equal(SyncKind.Snap, new SyncPlanner(5).Plan(Z(1, 2), log).Kind);
        Assert.Equal(SyncKind.Diff, new SyncPlanner(5).Plan(Z(1, 16), log).Kind);
    }
}
