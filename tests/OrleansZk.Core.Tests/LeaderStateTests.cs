using Microsoft.Extensions.Time.Testing;

namespace OrleansZk.Core.Tests;

/// <summary>The leader-only state machines: the FIFO gate, session expiry, event numbering — with a fake clock.</summary>
public sealed class LeaderStateTests
{
    private static readonly TimeSpan Gap = TimeSpan.FromSeconds(2);

    [Fact]
    public void The_gate_admits_in_xid_order_holds_early_ones_and_refuses_late_and_duplicate_ones()
    {
        var time = new FakeTimeProvider();
        var gate = new SessionGate<string>(time, Gap);
        var admitted = new List<string>();
        gate.Opened(7);
        Assert.Equal(SessionGate<string>.Outcome.Held, gate.Admit(7, 3, "c", admitted));
        Assert.Equal(SessionGate<string>.Outcome.Duplicate, gate.Admit(7, 3, "c again", admitted));
        Assert.Equal(SessionGate<string>.Outcome.Held, gate.Admit(7, 2, "b", admitted));
        Assert.Empty(admitted);
        Assert.Equal(SessionGate<string>.Outcome.Admitted, gate.Admit(7, 1, "a", admitted));
        Assert.Equal(["a", "b", "c"], admitted);
        Assert.Equal(SessionGate<string>.Outcome.Late, gate.Admit(7, 2, "b late", admitted));

        // A session the gate has not seen (a new leader's) starts at the first xid it sees.
        admitted.Clear();
        Assert.Equal(SessionGate<string>.Outcome.Admitted, gate.Admit(9, 41, "x", admitted));
        Assert.Equal(SessionGate<string>.Outcome.Admitted, gate.Admit(9, 42, "y", admitted));
        Assert.Equal(["x", "y"], admitted);
    }

    [Fact]
    public void A_gap_is_given_up_after_the_timeout_and_a_restart_returns_what_was_held()
    {
        var time = new FakeTimeProvider();
        var gate = new SessionGate<string>(time, Gap);
        var admitted = new List<string>();
        gate.Opened(7);
        gate.Admit(7, 1, "a", admitted);
        gate.Admit(7, 3, "c", admitted);
        gate.Admit(7, 4, "d", admitted);
        admitted.Clear();
        var gaveUp = new List<(long, int, int)>();
        time.Advance(Gap - TimeSpan.FromMilliseconds(1));
        gate.ReleaseStuck(admitted, (s, missing, next) => gaveUp.Add((s, missing, next)));
        Assert.Empty(admitted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        gate.ReleaseStuck(admitted, (s, missing, next) => gaveUp.Add((s, missing, next)));
        Assert.Equal(["c", "d"], admitted);
        Assert.Equal([(7L, 2, 3)], gaveUp);

        gate.Admit(7, 9, "i", admitted);
        Assert.Equal(["i"], gate.AllHeld());
        Assert.Equal(["i"], gate.Restart(7));
        admitted.Clear();
        Assert.Equal(SessionGate<string>.Outcome.Admitted, gate.Admit(7, 1, "fresh", admitted)); // the new client's first xid
    }

    [Fact]
    public void Sessions_expire_at_their_deadline_once_and_a_new_clock_gives_everyone_a_full_timeout()
    {
        var time = new FakeTimeProvider();
        var clock = new SessionClock(time);
        clock.Start([new SessionEntry(1, 1_000, [1]), new SessionEntry(2, 3_000, [2])]);
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Empty(clock.Expire());
        Assert.True(clock.Touch(2, 3_000));
        time.Advance(TimeSpan.FromMilliseconds(2));
        var expired = Assert.Single(clock.Expire());
        Assert.Equal(1, expired.SessionId);
        Assert.Equal(TimeSpan.FromMilliseconds(1), expired.Late);
        Assert.Empty(clock.Expire()); // once
        Assert.True(clock.IsExpiring(1));
        Assert.False(clock.Touch(1, 1_000)); // an expiring session takes nothing more
        clock.Closed(1);
        Assert.False(clock.IsExpiring(1));
        time.Advance(TimeSpan.FromMilliseconds(2_997));
        Assert.Empty(clock.Expire());
        time.Advance(TimeSpan.FromMilliseconds(2));
        Assert.Equal(2, Assert.Single(clock.Expire()).SessionId);
    }

    [Fact]
    public void Events_are_numbered_per_session_in_zxid_then_op_order_and_ended_sessions_are_dropped()
    {
        var numbering = new EventNumbering();
        var ended = new HashSet<long>();
        List<IReadOnlyList<FiredWatch>?> fired =
        [
            new[] { new FiredWatch(1, WatchEventType.NodeDeleted, "/b", 20, 1), new FiredWatch(3, WatchEventType.NodeCreated, "/x", 20, 0) },
            null,
            new[] { new FiredWatch(1, WatchEventType.NodeCreated, "/a", 10, 0), new FiredWatch(1, WatchEventType.NodeDataChanged, "/b", 20, 0) },
        ];
        var numbered = numbering.Number(fired, s => s != 3, ended)!;
        Assert.Equal([3L], ended);
        Assert.Equal([(1L, "/a"), (2L, "/b"), (3L, "/b")], numbered[1].Select(e => (e.Seq, e.Watch.Path)));
        Assert.Equal([WatchEventType.NodeCreated, WatchEventType.NodeDataChanged, WatchEventType.NodeDeleted], numbered[1].Select(e => e.Watch.Type));
        var next = numbering.Number([new[] { new FiredWatch(1, WatchEventType.NodeCreated, "/c", 30, 0) }], _ => true, ended)!;
        Assert.Equal(4, Assert.Single(next[1]).Seq);
        Assert.Null(numbering.Number([null], _ => true, ended));
        numbering.Forget(1);
        Assert.Equal(0, numbering.SeqOf(1));
    }
}
