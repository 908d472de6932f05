using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace OrleansZk.LoadBench;

/// <summary>
/// A throwaway OrleansZk silo: the real executable (silo/OrleansZk.Silo) started as a child process
/// on free loopback ports with a fresh data directory, its stdout watched for the ready line, its
/// stderr (warnings and errors) kept in a file. <see cref="DisposeAsync"/> stops it (SIGTERM, then
/// a kill after 15 s) and removes the directory.
/// </summary>
internal sealed partial class SiloProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly bool _keep;
    private int _logLines;
    private int _stopped;

    private SiloProcess(Process process, string root, StreamWriter log, bool keep, int gatewayPort)
    {
        _process = process;
        Root = root;
        _log = log;
        _keep = keep;
        GatewayPort = gatewayPort;
    }

    /// <summary>The temp directory holding the data directory and <c>silo.log</c>.</summary>
    public string Root { get; }

    public int GatewayPort { get; }

    /// <summary>The ready line the silo printed.</summary>
    public string ReadyLine { get; private set; } = "";

    /// <summary>
    /// Starts the silo and waits for its ready line. <paramref name="extraArgs"/> go to the silo after
    /// the benchmark's own (<c>--OrleansZk:Key=value</c> overrides them).
    /// </summary>
    /// <remarks>
    /// A silo that exits with the silo's "failed to start" code (1) is started again, up to
    /// <see cref="StartAttempts"/> times, on other ports and a new directory: the free ports are
    /// picked before the silo binds them, and another process on a shared machine may take one
    /// meanwhile. Each failed attempt is reported on stderr with the silo's last lines.
    /// </remarks>
    public static async Task<SiloProcess> StartAsync(string siloDll, bool keep, IReadOnlyList<string> extraArgs)
    {
        if (!File.Exists(siloDll))
            throw new FileNotFoundException($"no silo at {siloDll}: dotnet build silo/OrleansZk.Silo -c Release", siloDll);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(siloDll, keep, extraArgs);
            }
            catch (SiloStartException e) when (e.ExitCode == ExitStartFailed && attempt < StartAttempts)
            {
                Console.Error.WriteLine($"silo start attempt {attempt} failed, trying other ports: {e.Message}");
            }
        }
    }

    private const int StartAttempts = 3;

    /// <summary>OrleansZk.Silo's exit code for a start-up failure (ports in use, data directory locked or damaged).</summary>
    private const int ExitStartFailed = 1;

    private static async Task<SiloProcess> StartOnceAsync(string siloDll, bool keep, IReadOnlyList<string> extraArgs)
    {
        var root = Directory.CreateTempSubdirectory("orleanszk-bench.").FullName;
        var dataDir = Path.Combine(root, "data");
        int gatewayPort = FreePort(), siloPort = FreePort();
        while (siloPort == gatewayPort) siloPort = FreePort();

        var start = new ProcessStartInfo("dotnet")
        {
            // No appsettings.json here: the silo reads only the one shipped beside it, then the arguments.
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])[
                     siloDll,
                     $"--OrleansZk:DataDir={dataDir}",
                     $"--OrleansZk:GatewayPort={gatewayPort}",
                     "--OrleansZk:ClientPort=0",
                     $"--OrleansZk:SiloPort={siloPort}",
                     // The default, stated: fsync per batch, as ZooKeeper's forceSync=yes.
                     "--OrleansZk:ForceSync=true",
                 ])
            start.ArgumentList.Add(arg);
        foreach (var arg in extraArgs) start.ArgumentList.Add(arg);

        var log = new StreamWriter(Path.Combine(root, "silo.log")) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var silo = new SiloProcess(process, root, log, keep, gatewayPort);
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data == null) return;
            silo.Append("stdout: " + e.Data);
            if (e.Data.Contains("ready", StringComparison.Ordinal)) ready.TrySetResult(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data == null) return;
            silo.Append(e.Data);
            Interlocked.Increment(ref silo._logLines);
        };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(new SiloStartException($"the silo exited with code {process.ExitCode} before it was ready", process.ExitCode));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            silo.ReadyLine = await ready.Task.WaitAsync(ReadyTimeout);
            return silo;
        }
        catch (Exception e)
        {
            await silo.StopAndWaitAsync();
            var tail = silo.LogTail(20);
            await silo.DisposeAsync();
            var message = $"{e.Message}; the silo's last lines:{Environment.NewLine}{tail}";
            throw e is SiloStartException failed ? new SiloStartException(message, failed.ExitCode) : new InvalidOperationException(message, e);
        }
    }

    /// <summary>The silo's CPU time (user + system) so far.</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>How many lines the silo wrote to stderr (its warnings and errors) so far.</summary>
    public int LogLines => Volatile.Read(ref _logLines);

    /// <summary>The last <paramref name="count"/> lines of the silo's log.</summary>
    public string LogTail(int count)
    {
        lock (_log)
        {
            _log.Flush();
        }
        var path = Path.Combine(Root, "silo.log");
        return File.Exists(path) ? string.Join(Environment.NewLine, File.ReadLines(path).TakeLast(count)) : "";
    }

    /// <summary>Stops the silo (SIGTERM, then kill) and removes its directory unless kept. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        await StopAndWaitAsync();
        lock (_log)
        {
            _log.Dispose();
        }
        _process.Dispose();
        if (!_keep) TryDelete(Root);
    }

    /// <summary>SIGTERM, then a kill if the silo has not exited within <see cref="StopTimeout"/>; returns once it has exited.</summary>
    private async Task StopAndWaitAsync()
    {
        Stop();
        try
        {
            await _process.WaitForExitAsync().WaitAsync(StopTimeout);
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>silo/OrleansZk.Silo's Release build in the repository the benchmark was built from.</summary>
    public static string DefaultDll()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansZk.sln")))
                return Path.Combine(dir.FullName, "silo", "OrleansZk.Silo", "bin", "Release", "net10.0", "OrleansZk.Silo.dll");
        }
        throw new FileNotFoundException("no OrleansZk.sln above the benchmark: pass -silo PATH/OrleansZk.Silo.dll");
    }

    /// <summary>
    /// A benchmark's main body around its optional throwaway silo: 0 when <paramref name="body"/>
    /// succeeds, 1 (with the exception on stderr) when it fails; then the silo's stderr tail, if it
    /// wrote any, and the silo stopped (its directory kept and named with <paramref name="keep"/>).
    /// </summary>
    public static async Task<int> RunAsync(string benchmark, SiloProcess? silo, bool keep, Func<Task> body)
    {
        try
        {
            await body();
            return 0;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"{benchmark} failed: {e}");
            return 1;
        }
        finally
        {
            if (silo != null)
            {
                var lines = silo.LogLines;
                if (lines > 0)
                    Console.Error.WriteLine($"the silo wrote {lines} lines to stderr (its log: warnings and errors by default); the last ones:{Environment.NewLine}{silo.LogTail(20)}");
                await silo.DisposeAsync();
                if (keep) Console.WriteLine($"kept {silo.Root}");
            }
        }
    }

    /// <summary>Asks the silo to stop now, synchronously (for signal handlers); <see cref="DisposeAsync"/> still waits and cleans up.</summary>
    public void Stop()
    {
        try
        {
            if (_process.HasExited) return;
            if (OperatingSystem.IsWindows() || Kill(_process.Id, SigTerm) != 0) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private void Append(string line)
    {
        lock (_log)
        {
            if (_log.BaseStream.CanWrite) _log.WriteLine(line);
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"could not remove {directory}: {e.Message}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}

/// <summary>The silo process ended before its ready line.</summary>
internal sealed class SiloStartException(string message, int exitCode) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
