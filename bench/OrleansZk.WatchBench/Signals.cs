using System.Runtime.InteropServices;

namespace OrleansZk.WatchBench;

/// <summary>POSIX signals to child processes (.NET can only kill them outright).</summary>
internal static partial class Signals
{
    /// <summary>Stops a process (Linux's SIGSTOP): it cannot catch it, and every thread halts, heartbeats included.</summary>
    public static void Stop(int pid)
    {
        if (Kill(pid, SigStop) != 0)
            throw new InvalidOperationException($"kill({pid}, SIGSTOP) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    private const int SigStop = 19;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
