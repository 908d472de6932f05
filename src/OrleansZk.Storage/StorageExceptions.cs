namespace OrleansZk.Storage;

/// <summary>Base of the errors that stop a store from opening.</summary>
public class StorageException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>
/// The log is damaged somewhere other than its tail (a bad record followed by valid ones, a bad
/// segment header, a gap between segments). Recovery refuses to guess: truncating here could drop
/// fsync'd, acknowledged records. <see cref="FilePath"/> and <see cref="Offset"/> name the spot.
/// </summary>
public sealed class LogCorruptException(string filePath, long offset, string problem)
    : StorageException($"transaction log corrupt in {filePath} at offset {offset}: {problem}")
{
    /// <summary>The damaged file.</summary>
    public string FilePath { get; } = filePath;
    /// <summary>Byte offset of the damage within <see cref="FilePath"/>.</summary>
    public long Offset { get; } = offset;
}

/// <summary>Another open store (in this or another process) holds the data directory's lock file.</summary>
public sealed class DataDirectoryLockedException(string lockPath, Exception inner)
    : StorageException($"data directory is in use by another store: cannot lock {lockPath} ({inner.Message})", inner)
{
    /// <summary>The lock file that could not be taken.</summary>
    public string LockPath { get; } = lockPath;
}

/// <summary>The snapshots and the log do not fit together (e.g. no valid snapshot reaches the start of the log).</summary>
public sealed class RecoveryException(string message, Exception? inner = null) : StorageException(message, inner);
