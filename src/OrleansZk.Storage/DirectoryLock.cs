namespace OrleansZk.Storage;

/// <summary>
/// Exclusive ownership of a data directory: a <c>LOCK</c> file opened with <see cref="FileShare.None"/>
/// (an exclusive <c>flock</c> on Linux, so it excludes other processes and other opens in this
/// process alike). Released by <see cref="Dispose"/> or when the process dies. The file holds the
/// owner's process id, for people only.
/// </summary>
public sealed class DirectoryLock : IDisposable
{
    /// <summary>Name of the lock file inside the directory.</summary>
    public const string FileName = "LOCK";

    private readonly FileStream _stream;

    private DirectoryLock(FileStream stream) => _stream = stream;

    /// <summary>Creates <paramref name="directory"/> if needed and locks it; throws
    /// <see cref="DataDirectoryLockedException"/> if another owner holds it.</summary>
    public static DirectoryLock Acquire(string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new DataDirectoryLockedException(path, e);
        }
        try
        {
            stream.SetLength(0);
            var pid = System.Text.Encoding.ASCII.GetBytes($"{Environment.ProcessId}\n");
            stream.Write(pid);
            stream.Flush();
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        return new DirectoryLock(stream);
    }

    /// <summary>Releases the lock (the file stays).</summary>
    public void Dispose() => _stream.Dispose();
}
