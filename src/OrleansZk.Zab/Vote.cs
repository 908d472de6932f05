namespace OrleansZk.Zab;

/// <summary>
/// An election vote: the proposed leader, and that leader's <em>current</em> epoch and last
/// zxid. The current epoch (of the last NEWLEADER adopted), not the accepted one: a replica
/// that only promised a newer epoch may lack txns that the established quorum committed.
/// </summary>
public readonly record struct Vote(int Leader, long Epoch, long Zxid)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Leader}@{Epoch}/{OrleansZk.Zab.Zxid.Format(Zxid)}";
}

/// <summary>
/// The total order on votes (ZooKeeper's <c>totalOrderPredicate</c>): higher epoch, then
/// higher zxid, then higher replica id wins.
/// </summary>
public static class VoteOrder
{
    /// <summary>Negative, zero or positive as <paramref name="a"/> is worse, equal or better than <paramref name="b"/>.</summary>
    public static int Compare(Vote a, Vote b)
    {
        int c = a.Epoch.CompareTo(b.Epoch);
        if (c != 0) return c;
        c = a.Zxid.CompareTo(b.Zxid);
        return c != 0 ? c : a.Leader.CompareTo(b.Leader);
    }

    /// <summary>The better of two votes.</summary>
    public static Vote Max(Vote a, Vote b) => Compare(a, b) >= 0 ? a : b;

    /// <summary>
    /// True if a replica with (<paramref name="epoch"/>, <paramref name="zxid"/>) has a newer
    /// history than one with (<paramref name="otherEpoch"/>, <paramref name="otherZxid"/>):
    /// the discovery abdication test.
    /// </summary>
    public static bool IsAhead(long epoch, long zxid, long otherEpoch, long otherZxid) =>
        epoch > otherEpoch || (epoch == otherEpoch && zxid > otherZxid);
}
