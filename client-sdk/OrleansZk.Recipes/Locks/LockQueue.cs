using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.Recipes.Locks;

/// <summary>
/// Decides, from the lock directory's contenders sorted by sequence, whether the node at
/// <paramref name="index"/> holds the lock, and if not which node it waits for (watching only
/// that one: no herd).
/// </summary>
internal delegate (bool Holds, string? WaitFor) LockRule(IReadOnlyList<string> sorted, int index);

/// <summary>
/// The queue every lock recipe stands in (Curator's LockInternals): an ephemeral sequential,
/// protected node per contender in the lock directory; the rule says who holds it; a waiter
/// watches one predecessor; a waiter that gives up (timeout, cancellation, failure) deletes its
/// node — found by its protection id even when the create's reply was lost.
/// </summary>
internal sealed class LockQueue(ZkSessionSource source, string dir, string nodeName, LockRule rule)
{
    /// <summary>The directory of contenders.</summary>
    public string Dir { get; } = ZkPaths.Validate(dir, "lock path");

    /// <summary>The node names this queue creates (before the sequence), e.g. "lock-", "__READ__".</summary>
    public string NodeName { get; } = nodeName;

    /// <summary>Watch events this queue's waiters received (one per predecessor that went: the no-herd check).</summary>
    internal int WatchEvents;

    /// <summary>
    /// Enters the queue and waits for the lock until <paramref name="deadlineMs"/> (monotonic ms;
    /// null = no deadline). Returns the node and its stat, or null at the deadline (the node is
    /// deleted). The caller's interest in the session lease must be declared around this call.
    /// </summary>
    public async Task<CreateResult?> EnterAsync(byte[]? data, long? deadlineMs, CancellationToken ct)
    {
        var id = ProtectedCreate.NewId();
        var done = false;
        try
        {
            var node = await ProtectedCreate.CreateAsync(source, ZkPaths.Join(Dir, NodeName), data, CreateMode.EphemeralSequential, id, ct: ct).ConfigureAwait(false);
            var held = await WaitForTurnAsync(node, deadlineMs, ct).ConfigureAwait(false);
            done = held != null;
            return held;
        }
        finally
        {
            // Timed out, cancelled or failed: leave nothing behind that would block the others.
            if (!done) await Retry.DeleteProtectedQuietlyAsync(source, Dir, id).ConfigureAwait(false);
        }
    }

    private async Task<CreateResult?> WaitForTurnAsync(CreateResult node, long? deadlineMs, CancellationToken ct)
    {
        var own = ZkPaths.Name(node.Path);
        while (true)
        {
            var zk = await source.ConnectedClientAsync(ct).ConfigureAwait(false);
            try
            {
                var sorted = Sorted(await zk.GetChildrenAsync(Dir, ct).ConfigureAwait(false));
                var index = sorted.IndexOf(own);
                if (index < 0) throw new SessionExpiredException(node.Path, "the lock node is gone (its session ended, or it was deleted)");
                var (holds, waitFor) = rule(sorted, index);
                if (holds) return node;
                if (deadlineMs is { } d && SessionLease.NowMs >= d) return null;
                var wait = new WatchWait();
                if (await zk.ExistsAsync(ZkPaths.Join(Dir, waitFor!), wait.Watcher, ct).ConfigureAwait(false) == null) continue;
                if (await wait.WaitAsync(source, zk, deadlineMs, ct).ConfigureAwait(false)) Interlocked.Increment(ref WatchEvents);
            }
            catch (ConnectionLossException)
            {
                // Look again once connected: the node is still there while the session lives.
            }
        }
    }

    /// <summary>Deletes a holder's node; NoNode counts as done.</summary>
    public Task LeaveAsync(string path, CancellationToken ct) => Retry.DeleteAsync(source, path, ct);

    /// <summary>Deletes a released holder's node, bounded; never throws.</summary>
    public Task LeaveQuietlyAsync(string path) => Retry.DeleteQuietlyAsync(source, path);

    /// <summary>The contenders of this directory, by sequence (any lock node name: read and write nodes share one order).</summary>
    public static List<string> Sorted(IEnumerable<string> children) =>
        [.. children.Where(c => ZkPaths.SequenceOf(c) >= 0).OrderBy(c => ZkPaths.SequenceOf(c)).ThenBy(c => c, StringComparer.Ordinal)];

    /// <summary>The exclusive rule: the first holds; the others wait for the one just before them.</summary>
    public static (bool, string?) Exclusive(IReadOnlyList<string> sorted, int index) => index == 0 ? (true, null) : (false, sorted[index - 1]);
}
