using System.Globalization;

namespace OrleansZk.Storage;

/// <summary>
/// Snapshot files in one directory, named <c>snapshot.&lt;zxid as 16 hex digits&gt;</c>. Each is
/// written under <c>.tmp</c>, fsynced, renamed into place and the directory fsynced, so a file with
/// the final name is always complete (damage is still possible, and loading falls back past it).
/// The contents are opaque here (a DataTree snapshot, docs/snapshot-format.md). Not thread-safe:
/// one writer at a time, from the replica's pipeline.
/// </summary>
public sealed class SnapshotStore
{
    private const string Prefix = "snapshot.";
    private readonly string _dir;
    private readonly bool _forceSync;

    /// <summary>Opens <paramref name="directory"/> (creating it) and deletes unfinished <c>.tmp</c> files.</summary>
    public SnapshotStore(string directory, bool forceSync)
    {
        _dir = directory;
        _forceSync = forceSync;
        Directory.CreateDirectory(directory);
        foreach (var tmp in Directory.GetFiles(directory, Prefix + "*.tmp")) File.Delete(tmp);
    }

    /// <summary>The directory holding the snapshots.</summary>
    public string Location => _dir;

    /// <summary>The file name for a snapshot as of <paramref name="zxid"/>.</summary>
    public static string FileName(long zxid) => $"{Prefix}{zxid:x16}";

    /// <summary>Full path of the snapshot as of <paramref name="zxid"/>.</summary>
    public string PathOf(long zxid) => Path.Combine(_dir, FileName(zxid));

    /// <summary>The zxids of the snapshot files present, ascending.</summary>
    public IReadOnlyList<long> Zxids()
    {
        var result = new List<long>();
        foreach (var path in Directory.GetFiles(_dir, Prefix + "*"))
        {
            var name = Path.GetFileName(path);
            if (name.Length == Prefix.Length + 16
                && long.TryParse(name.AsSpan(Prefix.Length), NumberStyles.AllowHexSpecifier, null, out var zxid))
                result.Add(zxid);
        }
        result.Sort();
        return result;
    }

    /// <summary>Starts writing the snapshot as of <paramref name="zxid"/>; write to
    /// <see cref="PendingSnapshot.Stream"/>, then <see cref="PendingSnapshot.Commit"/>.</summary>
    public PendingSnapshot Begin(long zxid)
    {
        var path = PathOf(zxid);
        var tmp = path + ".tmp";
        var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        return new PendingSnapshot(zxid, path, tmp, stream, _dir, _forceSync);
    }

    /// <summary>
    /// Loads the newest snapshot that <paramref name="load"/> accepts, trying older ones while it
    /// throws <see cref="InvalidDataException"/> (a damaged file); other exceptions propagate.
    /// <paramref name="load"/> gets the stream and the zxid from the file name. Returns null when no
    /// snapshot loads; <paramref name="skipped"/> collects the damaged ones, newest first.
    /// </summary>
    public LoadedSnapshot<T>? LoadNewestValid<T>(Func<Stream, long, T> load, List<SkippedSnapshot> skipped)
    {
        var zxids = Zxids();
        for (var i = zxids.Count - 1; i >= 0; i--)
        {
            var path = PathOf(zxids[i]);
            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
                return new LoadedSnapshot<T>(zxids[i], load(stream, zxids[i]));
            }
            catch (InvalidDataException e)
            {
                skipped.Add(new SkippedSnapshot(path, e.Message));
            }
        }
        return null;
    }

    /// <summary>Deletes all but the newest <paramref name="retain"/> snapshots (oldest first); returns
    /// the zxid of the oldest one kept, or null when there is none.</summary>
    public long? Purge(int retain)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retain, 1);
        var zxids = Zxids();
        var drop = zxids.Count - retain;
        for (var i = 0; i < drop; i++) File.Delete(PathOf(zxids[i]));
        if (drop > 0 && _forceSync) FileSync.SyncDirectory(_dir);
        return zxids.Count == 0 ? null : zxids[Math.Max(drop, 0)];
    }
}

/// <summary>A loaded snapshot and the zxid it is as of.</summary>
public sealed record LoadedSnapshot<T>(long Zxid, T State);

/// <summary>A snapshot file that failed to load, and why.</summary>
public sealed record SkippedSnapshot(string Path, string Problem);

/// <summary>
/// A snapshot being written under its temp name. <see cref="Commit"/> makes it durable and visible
/// under its final name; <see cref="Dispose"/> without commit deletes it.
/// </summary>
public sealed class PendingSnapshot : IDisposable
{
    private readonly string _path, _tmp, _dir;
    private readonly bool _forceSync;
    private readonly FileStream _stream;
    private bool _done;

    internal PendingSnapshot(long zxid, string path, string tmp, FileStream stream, string dir, bool forceSync)
    {
        Zxid = zxid;
        _path = path;
        _tmp = tmp;
        _stream = stream;
        _dir = dir;
        _forceSync = forceSync;
    }

    /// <summary>The zxid the snapshot is as of.</summary>
    public long Zxid { get; }

    /// <summary>Where the snapshot bytes go.</summary>
    public Stream Stream => _stream;

    /// <summary>Flush, fsync, rename to <c>snapshot.&lt;zxid&gt;</c>, fsync the directory. Returns the final path.</summary>
    public string Commit()
    {
        if (_done) throw new InvalidOperationException("snapshot already committed or abandoned");
        _stream.Flush(flushToDisk: _forceSync);
        _stream.Dispose();
        File.Move(_tmp, _path, overwrite: true);
        if (_forceSync) FileSync.SyncDirectory(_dir);
        _done = true;
        return _path;
    }

    /// <summary>Abandons an uncommitted snapshot (deletes the temp file).</summary>
    public void Dispose()
    {
        if (_done) return;
        _done = true;
        _stream.Dispose();
        File.Delete(_tmp);
    }
}
