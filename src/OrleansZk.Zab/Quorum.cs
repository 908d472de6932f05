namespace OrleansZk.Zab;

/// <summary>
/// The quorum rule, injected into <see cref="ZabPeer"/> so that tests can plug in a faulty one.
/// Every protocol decision that needs "enough replicas" asks this rule and nothing else.
/// </summary>
public interface IQuorum
{
    /// <summary>True if <paramref name="count"/> distinct replicas (the asking one included) out
    /// of <paramref name="clusterSize"/> form a quorum.</summary>
    bool IsQuorum(int count, int clusterSize);
}

/// <summary>Strict majority: any two quorums intersect.</summary>
public sealed class MajorityQuorum : IQuorum
{
    /// <summary>The shared instance.</summary>
    public static readonly MajorityQuorum Instance = new();

    /// <inheritdoc/>
    public bool IsQuorum(int count, int clusterSize) => count * 2 > clusterSize;
}

/// <summary>Pure quorum arithmetic over the injected rule.</summary>
public static class QuorumMath
{
    /// <summary>
    /// The largest zxid that a quorum has durably logged, given each voter's highest logged zxid
    /// (the leader's own included); <see cref="long.MinValue"/> if no quorum exists at all.
    /// Because a replica's log is a prefix of the leader's, logging z means logging all before z.
    /// </summary>
    public static long QuorumMatch(IQuorum quorum, int clusterSize, Span<long> matches)
    {
        matches.Sort();
        for (int i = matches.Length - 1, count = 1; i >= 0; i--, count++)
        {
            if (quorum.IsQuorum(count, clusterSize)) return matches[i];
        }
        return long.MinValue;
    }
}
