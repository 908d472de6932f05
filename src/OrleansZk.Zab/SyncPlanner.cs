namespace OrleansZk.Zab;

/// <summary>How the leader brings one follower to its history.</summary>
public enum SyncKind
{
    /// <summary>The follower's log is a prefix of the leader's: send what follows it.</summary>
    Diff,
    /// <summary>The follower has txns the leader lacks (uncommitted): truncate its log after
    /// <see cref="SyncPlan.TruncateAfter"/>, then send what follows that point.</summary>
    Trunc,
    /// <summary>Too far behind (or behind the leader's compacted log): send a state snapshot and
    /// then the log after the snapshot's zxid.</summary>
    Snap,
}

/// <summary>A sync decision. <see cref="SendAfter"/>: the leader sends its log entries with
/// zxid greater than this (ignored for <see cref="SyncKind.Snap"/>, which sends after the snapshot).</summary>
public readonly record struct SyncPlan(SyncKind Kind, long TruncateAfter, long SendAfter);

/// <summary>The leader's log as the planner sees it. Zxid <see cref="BaseZxid"/> is part of the
/// history (covered by a snapshot) even though its entry is no longer kept.</summary>
public interface ILogIndex
{
    /// <summary>The log holds entries with zxid greater than this; everything up to it is compacted.</summary>
    long BaseZxid { get; }
    /// <summary>The last zxid in the log (or <see cref="BaseZxid"/> if empty).</summary>
    long LastZxid { get; }
    /// <summary>True if zxid is the base or an entry of the log.</summary>
    bool Contains(long zxid);
    /// <summary>The greatest zxid of the history (base included) that is at most <paramref name="zxid"/>;
    /// -1 if <paramref name="zxid"/> is below the base.</summary>
    long Floor(long zxid);
    /// <summary>How many entries follow <paramref name="zxid"/>.</summary>
    int CountAfter(long zxid);
}

/// <summary>
/// Chooses DIFF, TRUNC or SNAP for one follower. Pure: no transport types, no state.
/// Injected into <see cref="ZabPeer"/> so tests can plug in a faulty planner.
/// </summary>
public interface ISyncPlanner
{
    /// <summary>Plans the sync of a follower whose log ends at <paramref name="followerLastZxid"/>.</summary>
    SyncPlan Plan(long followerLastZxid, ILogIndex leaderLog);
}

/// <summary>
/// The planner. A TRUNC point is the greatest leader zxid not above the follower's last; if the
/// follower does not hold that zxid (its divergent tail started earlier), it truncates, finds
/// its new last differs from the plan's point, and asks again: each round strictly lowers its
/// last zxid, so this converges (at worst to SNAP).
/// </summary>
public sealed class SyncPlanner(int snapThresholdEntries) : ISyncPlanner
{
    /// <inheritdoc/>
    public SyncPlan Plan(long followerLastZxid, ILogIndex log)
    {
        if (followerLastZxid < log.BaseZxid) return new SyncPlan(SyncKind.Snap, 0, log.BaseZxid);
        if (log.Contains(followerLastZxid))
        {
            return log.CountAfter(followerLastZxid) > snapThresholdEntries
                ? new SyncPlan(SyncKind.Snap, 0, log.BaseZxid)
                : new SyncPlan(SyncKind.Diff, 0, followerLastZxid);
        }
        long point = log.Floor(followerLastZxid);
        if (log.CountAfter(point) > snapThresholdEntries) return new SyncPlan(SyncKind.Snap, 0, log.BaseZxid);
        return new SyncPlan(SyncKind.Trunc, point, point);
    }
}
