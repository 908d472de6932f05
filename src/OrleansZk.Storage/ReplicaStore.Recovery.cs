using OrleansZk.Core;
using OrleansZk.Zab;

namespace OrleansZk.Storage;

public sealed partial class ReplicaStore
{
    /// <summary>
    /// Rebuilds the state: loads the newest snapshot that <paramref name="loadSnapshot"/> accepts
    /// (falling back to older ones past any that throw <see cref="InvalidDataException"/>; none →
    /// <paramref name="createEmpty"/>), then hands every log txn after its zxid, in zxid order, to
    /// <paramref name="apply"/> (which decodes the opaque payload; this store never does).
    /// Throws <see cref="RecoveryException"/> when the log does not reach back to the snapshot
    /// (the log starts after a zxid above it): replay would skip transactions.
    /// <para>Replay stops after <paramref name="replayThrough"/>. A standalone replica replays
    /// everything (each record it logged was committed once durable). A ZAB replica must not: its
    /// log may end in proposals that were never committed, so it passes the snapshot's zxid
    /// (<c>replayThrough: 0</c> replays nothing) and lets <see cref="Zab.ZabPeer"/>, constructed with
    /// <c>appliedZxid</c> = <see cref="RecoveredState{T}.LastZxid"/>, deliver the commits.</para>
    /// </summary>
    public RecoveredState<T> Recover<T>(Func<Stream, long, T> loadSnapshot, Func<T> createEmpty, Action<T, LogEntry> apply,
        long replayThrough = long.MaxValue)
    {
        var skipped = new List<SkippedSnapshot>();
        var loaded = Snapshots.LoadNewestValid(loadSnapshot, skipped);
        var snapZxid = loaded?.Zxid ?? 0;
        if (snapZxid < Log.BaseZxid)
            throw new RecoveryException(loaded == null
                ? $"no valid snapshot in {Snapshots.Location}, and the log starts after zxid 0x{Log.BaseZxid:x}{Describe(skipped)}"
                : $"the newest valid snapshot is at zxid 0x{snapZxid:x}, but the log starts after 0x{Log.BaseZxid:x}{Describe(skipped)}");
        var state = loaded != null ? loaded.State : createEmpty();
        long replayed = 0;
        var last = snapZxid;
        foreach (var txn in Log.ReadAfter(snapZxid))
        {
            if (txn.Zxid > replayThrough) break;
            apply(state, txn);
            replayed++;
            last = txn.Zxid;
        }
        _sinceSnapshot = replayed;
        return new RecoveredState<T>(state, snapZxid, last, replayed, skipped, Log.Recovery);
    }

    /// <summary>
    /// <see cref="Recover{T}"/> for a <see cref="DataTree"/>: snapshots load with
    /// <see cref="DataTree.LoadSnapshot"/> (and must be as of the zxid in their name); with none the
    /// tree starts empty (<c>new DataTree()</c>). <paramref name="apply"/> decodes and applies one txn.
    /// </summary>
    public RecoveredState<DataTree> RecoverDataTree(Action<DataTree, LogEntry> apply, long replayThrough = long.MaxValue) =>
        Recover(LoadTree, () => new DataTree(), apply, replayThrough);

    private static DataTree LoadTree(Stream stream, long zxid)
    {
        var tree = DataTree.LoadSnapshot(stream);
        if (tree.LastZxid != zxid)
            throw new InvalidDataException($"snapshot file named for zxid 0x{zxid:x} holds zxid 0x{tree.LastZxid:x}");
        return tree;
    }

    private static string Describe(List<SkippedSnapshot> skipped) =>
        skipped.Count == 0 ? "" : "; damaged snapshots: " + string.Join("; ", skipped.Select(s => $"{s.Path}: {s.Problem}"));
}

/// <summary>The outcome of <see cref="ReplicaStore.Recover{T}"/>.</summary>
/// <param name="State">The rebuilt state.</param>
/// <param name="SnapshotZxid">Zxid of the snapshot loaded (0 when none).</param>
/// <param name="LastZxid">The last zxid now reflected in <paramref name="State"/> (the snapshot's,
/// or the last txn replayed).</param>
/// <param name="Replayed">Log txns applied after the snapshot.</param>
/// <param name="SkippedSnapshots">Newer snapshots that failed to load, newest first.</param>
/// <param name="Log">What log recovery found (e.g. a cut torn tail).</param>
public sealed record RecoveredState<T>(T State, long SnapshotZxid, long LastZxid, long Replayed,
    IReadOnlyList<SkippedSnapshot> SkippedSnapshots, LogRecoveryReport Log);
