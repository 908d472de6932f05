using OrleansZk.Core;

namespace OrleansZk.Storage;

/// <summary>
/// A DataTree snapshot being written in slices (see <see cref="ReplicaStore.BeginSnapshot"/>), on
/// the tree's thread, interleaved with applies.
/// </summary>
public sealed class TreeSnapshot : IDisposable
{
    private readonly PendingSnapshot _pending;
    private readonly SnapshotWriter _writer;

    internal TreeSnapshot(PendingSnapshot pending, SnapshotWriter writer)
    {
        _pending = pending;
        _writer = writer;
    }

    /// <summary>The zxid the snapshot is as of.</summary>
    public long Zxid => _pending.Zxid;

    /// <summary>True once every node is written (the commit may still be running, see <see cref="Committed"/>).</summary>
    public bool Written { get; private set; }

    /// <summary>Completes when the file is durable under its final name (flush, fsync, rename,
    /// directory fsync, on a pool thread so a large fsync never stalls the caller's pipeline);
    /// faults if that fails. Never completes for an abandoned snapshot.</summary>
    public Task Committed => _committed.Task;

    private readonly TaskCompletionSource _committed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Writes up to <paramref name="maxNodes"/> more nodes; once the tree is done, starts the
    /// commit (see <see cref="Committed"/>) and returns true. On an I/O error the snapshot is
    /// abandoned (as by <see cref="Dispose"/>) and the error rethrown. Call on the tree's thread,
    /// between applies.</summary>
    public bool WriteSome(int maxNodes)
    {
        if (Written) return true;
        try
        {
            if (!_writer.WriteSome(maxNodes)) return false;
        }
        catch
        {
            Dispose();
            throw;
        }
        Written = true;
        _ = Task.Run(() =>
        {
            try
            {
                _pending.Commit();
                _committed.SetResult();
            }
            catch (Exception e)
            {
                _pending.Dispose();
                _committed.SetException(e);
            }
        });
        return true;
    }

    /// <summary>
    /// Abandons an unfinished snapshot: deletes the temp file and releases the tree for the next
    /// snapshot (<see cref="SnapshotWriter.Abort"/>). No effect once <see cref="Written"/>.
    /// </summary>
    public void Dispose()
    {
        if (Written || _writer.Aborted) return;
        _writer.Abort();
        _pending.Dispose();
    }
}
