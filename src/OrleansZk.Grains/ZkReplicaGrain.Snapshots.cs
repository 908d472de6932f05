using Microsoft.Extensions.Logging;
using OrleansZk.Storage;

namespace OrleansZk.Grains;

/// <summary>
/// Snapshots (every replica, every SnapCount committed txns): written 20,000 nodes at a time
/// between the loop's steps (the tree's copy-on-write snapshot keeps them point-in-time); once
/// durable, old snapshots and logs are purged and the engine forgets its log up to the previous
/// snapshot (one snapshot interval stays, so a follower a little behind still gets a DIFF).
/// </summary>
public sealed partial class ZkReplicaGrain
{
    private TreeSnapshot? _snapshot;

    /// <summary>The zxid of the newest durable snapshot before the one being written.</summary>
    private long _previousSnapshot;

    private void WriteSnapshotSlice()
    {
        if (_snapshot == null || _snapshot.Written) return;
        try
        {
            if (_snapshot.WriteSome(20_000)) _ = FinishSnapshotAsync(_snapshot);
        }
        catch (Exception e)
        {
            LogSnapshotFailed(e, _replicaId);
            _snapshot = null;
        }
    }

    private async Task FinishSnapshotAsync(TreeSnapshot snapshot)
    {
        try
        {
            await snapshot.Committed;
            await _store.PurgeAsync();
            Peer.Compact(_previousSnapshot);
            _previousSnapshot = snapshot.Zxid;
        }
        catch (Exception e)
        {
            LogSnapshotFailed(e, _replicaId);
        }
        finally
        {
            snapshot.Dispose();
            if (ReferenceEquals(_snapshot, snapshot)) _snapshot = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Replica {ReplicaId}: snapshot failed")]
    private partial void LogSnapshotFailed(Exception e, long replicaId);
}
