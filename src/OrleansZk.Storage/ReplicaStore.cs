using OrleansZk.Core;

namespace OrleansZk.Storage;

/// <summary>
/// One replica's data directory: the <c>LOCK</c> file, the transaction log (<c>log/</c>) and the
/// DataTree snapshots (<c>snap/</c>). Opening takes the lock (so two stores never share a
/// directory) and recovers the log; <see cref="Recover{T}"/> rebuilds the state; snapshots are
/// taken every <see cref="StorageOptions.SnapCount"/> transactions and old files purged.
/// Layout and rules: docs/storage-format.md. Not thread-safe: the replica's pipeline drives it
/// (the log may be handed to a <see cref="GroupCommitLog"/>, see <see cref="OpenGroupCommit"/>).
/// </summary>
public sealed partial class ReplicaStore : IAsyncDisposable
{
    private readonly DirectoryLock _lock;
    private GroupCommitLog? _groupCommit;
    private long _sinceSnapshot;

    private ReplicaStore(StorageOptions options, DirectoryLock dirLock, TxnLog log, SnapshotStore snapshots)
    {
        Options = options;
        _lock = dirLock;
        Log = log;
        Snapshots = snapshots;
    }

    /// <summary>The settings the store was opened with.</summary>
    public StorageOptions Options { get; }

    /// <summary>The transaction log (also the ZAB engine's <see cref="Zab.IZabStorage"/>).</summary>
    public TxnLog Log { get; }

    /// <summary>The snapshot files.</summary>
    public SnapshotStore Snapshots { get; }

    /// <summary>
    /// Validates <paramref name="options"/>, locks <see cref="StorageOptions.DataDir"/> (throws
    /// <see cref="DataDirectoryLockedException"/> if another store holds it) and recovers the log
    /// (throws <see cref="LogCorruptException"/> on damage that is not a torn tail).
    /// </summary>
    public static ReplicaStore Open(StorageOptions options)
    {
        options.Validate();
        var dirLock = DirectoryLock.Acquire(options.DataDir);
        try
        {
            var log = TxnLog.Open(Path.Combine(options.DataDir, "log"), options);
            var snapshots = new SnapshotStore(Path.Combine(options.DataDir, "snap"), options.ForceSync);
            return new ReplicaStore(options, dirLock, log, snapshots);
        }
        catch
        {
            dirLock.Dispose();
            throw;
        }
    }

    /// <summary>The group-commit front over <see cref="Log"/> (created on first call; from then on
    /// write the log only through it). SNAP snapshots of its jobs go to <see cref="SaveSnapshot"/>.</summary>
    public GroupCommitLog OpenGroupCommit() => _groupCommit ??= new GroupCommitLog(Log, SaveSnapshot);

    /// <summary>
    /// Writes a snapshot received from the leader (SNAP) as the snapshot file of its zxid, durably
    /// (temp file, fsync, rename, directory fsync). Its bytes are the DataTree snapshot format.
    /// </summary>
    public void SaveSnapshot(Zab.ZabSnapshot snapshot)
    {
        using var pending = Snapshots.Begin(snapshot.Zxid);
        pending.Stream.Write(snapshot.Data);
        pending.Commit();
    }

    /// <summary>
    /// The newest snapshot file's bytes and zxid (committed state, for SNAP); null when there is none.
    /// A file purged while it is being read is skipped for the next newest.
    /// </summary>
    public Zab.ZabSnapshot? ReadNewestSnapshot()
    {
        foreach (var zxid in Snapshots.Zxids().Reverse())
        {
            try
            {
                return new Zab.ZabSnapshot(zxid, File.ReadAllBytes(Snapshots.PathOf(zxid)));
            }
            catch (FileNotFoundException)
            {
                // Purged meanwhile: an older one may still be there, or a newer one was written.
            }
        }
        return null;
    }

    /// <summary>Counts committed transactions; true once <see cref="StorageOptions.SnapCount"/> have
    /// been counted since the last snapshot began (or since recovery).</summary>
    public bool NoteCommitted(int count = 1)
    {
        _sinceSnapshot += count;
        return _sinceSnapshot >= Options.SnapCount;
    }

    /// <summary>
    /// Starts a point-in-time snapshot of <paramref name="tree"/> as of its <see cref="DataTree.LastZxid"/>
    /// (the tree must hold every committed txn up to it and no other). Call
    /// <see cref="TreeSnapshot.WriteSome"/> between applies until it returns true, then await
    /// <see cref="TreeSnapshot.Committed"/> (durable) before <see cref="PurgeAsync"/>. Resets the
    /// <see cref="NoteCommitted"/> count.
    /// </summary>
    public TreeSnapshot BeginSnapshot(DataTree tree)
    {
        var pending = Snapshots.Begin(tree.LastZxid);
        try
        {
            var writer = tree.BeginSnapshot(pending.Stream);
            _sinceSnapshot = 0;
            return new TreeSnapshot(pending, writer);
        }
        catch
        {
            pending.Dispose();
            throw;
        }
    }

    /// <summary>Writes a whole snapshot of <paramref name="tree"/> now, then purges; returns its zxid.</summary>
    public async Task<long> TakeSnapshotAsync(DataTree tree)
    {
        using var snap = BeginSnapshot(tree);
        while (!snap.WriteSome(int.MaxValue)) { }
        await snap.Committed.ConfigureAwait(false);
        await PurgeAsync().ConfigureAwait(false);
        return snap.Zxid;
    }

    /// <summary>
    /// Deletes all but the newest <see cref="StorageOptions.PurgeRetainCount"/> snapshots, then the log
    /// segments whose records are all at or below the oldest snapshot kept (replay from any kept
    /// snapshot stays possible). Through the group-commit front when there is one.
    /// </summary>
    public Task PurgeAsync()
    {
        if (Snapshots.Purge(Options.PurgeRetainCount) is not { } oldest) return Task.CompletedTask;
        if (_groupCommit != null) return _groupCommit.ExecuteAsync(log => log.PurgeBefore(oldest));
        Log.PurgeBefore(oldest);
        return Task.CompletedTask;
    }

    /// <summary>Drains the group-commit front, closes the log and releases the lock.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_groupCommit != null) await _groupCommit.DisposeAsync().ConfigureAwait(false);
        Log.Dispose();
        _lock.Dispose();
    }
}
