using OrleansZk.Zab;

namespace OrleansZk.Zab.Simulator;

/// <summary>
/// Known-faulty components plugged into the engine through its constructor, to show the
/// checkers catch real protocol bugs.
/// </summary>
public static class Mutants
{
    /// <summary>Names accepted by <c>--mutant</c>.</summary>
    public static readonly string[] Names = ["minority-quorum", "skip-trunc", "ack-before-fsync"];

    /// <summary>The components for a mutant (null or empty: the correct ones).</summary>
    public static ZabComponents Components(string? name, int snapThreshold) => name switch
    {
        null or "" => new ZabComponents(),
        "minority-quorum" => new ZabComponents { Quorum = new MinorityQuorum() },
        "ack-before-fsync" => new ZabComponents(), // a host bug: SimReplica sends a Ready's messages before its fsync
        "skip-trunc" => new ZabComponents { Planner = new SkipTruncPlanner(new SyncPlanner(snapThreshold)) },
        _ => throw new ArgumentException($"unknown mutant '{name}' (known: {string.Join(", ", Names)})"),
    };

    /// <summary>Accepts a minority: 1 of 3, 2 of 5 (two such "quorums" need not intersect).</summary>
    sealed class MinorityQuorum : IQuorum
    {
        public bool IsQuorum(int count, int clusterSize) => count * 2 >= clusterSize - 1;
    }

    /// <summary>Sends what follows the truncation point but never tells the follower to truncate
    /// (the follower keeps its divergent uncommitted tail).</summary>
    sealed class SkipTruncPlanner(ISyncPlanner inner) : ISyncPlanner
    {
        public SyncPlan Plan(long followerLastZxid, ILogIndex leaderLog)
        {
            var p = inner.Plan(followerLastZxid, leaderLog);
            return p.Kind == SyncKind.Trunc ? p with { Kind = SyncKind.Diff } : p;
        }
    }
}
