using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace OrleansZk.Storage;

/// <summary>The fsync primitives every durable write here is built from.</summary>
internal static partial class FileSync
{
    /// <summary>fsync of a directory, so that creations, renames and deletions in it are durable.
    /// A no-op on Windows (NTFS journals metadata; directories cannot be opened for flushing).</summary>
    public static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        var fd = Open(directory, 0 /* O_RDONLY */);
        if (fd < 0) throw new IOException($"cannot open directory {directory} to fsync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (Fsync(fd) != 0) throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// Replaces <paramref name="path"/> with <paramref name="contents"/> atomically: a crash leaves
    /// either the old file or the new one, never a mix. Write to <c>path.tmp</c>, fsync, rename over,
    /// fsync the directory (the fsyncs only when <paramref name="forceSync"/>).
    /// </summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> contents, bool forceSync)
    {
        var tmp = path + ".tmp";
        using (var handle = File.OpenHandle(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            RandomAccess.Write(handle, contents, 0);
            if (forceSync) RandomAccess.FlushToDisk(handle);
        }
        File.Move(tmp, path, overwrite: true);
        if (forceSync) SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>fsync of an open file.</summary>
    public static void SyncFile(SafeFileHandle handle) => RandomAccess.FlushToDisk(handle);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
