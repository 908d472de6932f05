using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace OrleansZk.Testing;

/// <summary>What a silo child process reported when it became ready.</summary>
public sealed record SiloReady(string Gateway, int GatewayPort, int SiloPort, string DataDir, string Line);

/// <summary>
/// The real silo executable as a child process (<c>dotnet OrleansZk.Silo.dll …</c>): its stdout
/// and stderr collected line by line, waits with deadlines, SIGTERM and SIGKILL. Disposing kills
/// it if it is still running.
/// </summary>
public sealed partial class SiloProcess : IDisposable
{
    private const int SigKill = 9;
    private const int SigTerm = 15;
    private const int SigStop = 19;
    private const int SigCont = 18;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly TaskCompletionSource<SiloReady> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The silo's build output, found once.</summary>
    public static string SiloDll { get; } = FindSiloDll();

    /// <summary>The shell's build output (client-sdk/OrleansZk.Cli), to run with <see cref="Start"/> as a child process.</summary>
    public static string CliDll => Metadata("CliDll") is { } cli && File.Exists(cli)
        ? cli
        : throw new FileNotFoundException($"OrleansZk.Cli.dll not found (expected {Metadata("CliDll")}); build client-sdk/OrleansZk.Cli first");

    /// <summary>The repository root (holds appsettings.json, README.md, OrleansZk.sln).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    private SiloProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    public string Stdout => string.Join('\n', _stdout);

    public string Stderr => string.Join('\n', _stderr);

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the process printed, for assertion messages.</summary>
    public string Output => $"stdout:\n{Stdout}\nstderr:\n{Stderr}";

    /// <summary>
    /// Starts <c>dotnet <paramref name="dll"/> <paramref name="args"/></c> in
    /// <paramref name="workingDirectory"/>. The child gets this process's environment without any
    /// <c>OrleansZk__*</c> or <c>Logging__*</c> variables, plus <paramref name="environment"/>.
    /// </summary>
    public static SiloProcess Start(IEnumerable<string> args, string workingDirectory,
        IReadOnlyDictionary<string, string>? environment = null, string? dll = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll ?? SiloDll);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        foreach (var key in info.Environment.Keys.ToList())
        {
            if (key.StartsWith("OrleansZk__", StringComparison.OrdinalIgnoreCase) || key.StartsWith("Logging__", StringComparison.OrdinalIgnoreCase))
                info.Environment.Remove(key);
        }
        // The client port (ZooKeeper's 2181 by default) is off unless a test turns it on: silos of
        // parallel tests, and a ZooKeeper on this machine, must not meet there.
        if (Path.GetFileName(dll ?? SiloDll) == "OrleansZk.Silo.dll") info.Environment["OrleansZk__ClientPort"] = "0";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var silo = new SiloProcess(process);
        process.OutputDataReceived += (_, e) => silo.OnStdout(e.Data);
        process.ErrorDataReceived += (_, e) => silo.OnStderr(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return silo;
    }

    /// <summary>Waits for the ready line; throws with the process's output if it exits first, and with its threads' stacks too (<see cref="StackReport"/>) if the deadline passes.</summary>
    public async Task<SiloReady> WaitReadyAsync(TimeSpan? timeout = null)
    {
        var deadline = timeout ?? TimeSpan.FromSeconds(60);
        var exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(_ready.Task, exited, Task.Delay(deadline));
        if (first == _ready.Task) return await _ready.Task;
        if (first == exited)
        {
            await DrainAsync();
            throw new SiloExitedException(_process.ExitCode, Output);
        }
        // Still running and never ready: what its threads are doing tells a hang from a slow start.
        var stacks = await StackReport.OfAsync(Pid);
        throw new TimeoutException($"silo {Pid} not ready within {deadline}\n{Output}\nits threads' stacks:\n{stacks}");
    }

    /// <summary>Waits until a line of standard output contains <paramref name="text"/>; throws with the output if the process exits first or the deadline passes.</summary>
    public async Task WaitForStdoutAsync(string text, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!_stdout.Any(l => l.Contains(text, StringComparison.Ordinal)))
        {
            if (_process.HasExited) throw new SiloExitedException(_process.ExitCode, Output);
            if (clock.Elapsed > timeout) throw new TimeoutException($"process {Pid}: no \"{text}\" within {timeout}\n{Output}");
            await Task.Delay(OutputPollInterval);
        }
    }

    private static readonly TimeSpan OutputPollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Waits for the process to exit; returns its exit code.</summary>
    public async Task<int> WaitExitAsync(TimeSpan? timeout = null)
    {
        var deadline = timeout ?? TimeSpan.FromSeconds(30);
        using var cts = new CancellationTokenSource(deadline);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"silo {Pid} still running after {deadline}\n{Output}");
        }
        await DrainAsync();
        return _process.ExitCode;
    }

    /// <summary>SIGTERM: the graceful stop a service manager sends.</summary>
    public void Terminate() => Signal(SigTerm);

    /// <summary>SIGKILL: the process dies at once, mid-write.</summary>
    public void KillHard() => Signal(SigKill);

    /// <summary>
    /// SIGSTOP (a hung process), returning once every thread of it has stopped: the signal is
    /// delivered asynchronously, and a thread already running could still answer a call issued
    /// after kill() returned.
    /// </summary>
    public async Task PauseAsync()
    {
        Signal(SigStop);
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (!Directory.EnumerateDirectories($"/proc/{Pid}/task").All(IsStopped))
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(10)) throw new TimeoutException($"silo {Pid} did not stop");
            await Task.Delay(Poll.Interval);
        }

        static bool IsStopped(string task)
        {
            try
            {
                // /proc/<pid>/task/<tid>/stat: "tid (comm) S ...": the state follows the last ')'.
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('T');
            }
            catch (IOException)
            {
                return true; // the thread is gone
            }
        }
    }

    /// <summary>SIGCONT: a paused process runs on.</summary>
    public void Resume() => Signal(SigCont);

    /// <summary>SIGTERM, then the exit code (0 for a clean stop).</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        Terminate();
        return await WaitExitAsync(timeout);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        _process.Dispose();
    }

    private void Signal(int signal)
    {
        if (kill(_process.Id, signal) != 0 && !_process.HasExited)
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    // Output after exit arrives on the reader threads; wait for both streams to close.
    private Task DrainAsync() => Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(TimeSpan.FromSeconds(5));

    private void OnStdout(string? line)
    {
        if (line is null)
        {
            _stdoutClosed.TrySetResult();
            return;
        }
        _stdout.Enqueue(line);
        Keep(line);
        var m = ReadyLine().Match(line);
        if (m.Success)
        {
            _ready.TrySetResult(new SiloReady(m.Groups["gateway"].Value, int.Parse(m.Groups["gport"].Value),
                int.Parse(m.Groups["sport"].Value), m.Groups["data"].Value, line));
        }
    }

    private void OnStderr(string? line)
    {
        if (line is null) _stderrClosed.TrySetResult();
        else
        {
            _stderr.Enqueue(line);
            Keep(line);
        }
    }

    /// <summary>
    /// When ORLEANSZK_SILO_LOG_DIR names a directory, every line the silo prints is also appended to
    /// PID.log there: what to read after a failed run (the output in memory goes with the test).
    /// </summary>
    private void Keep(string line)
    {
        if (LogDir is null) return;
        lock (_keepLock) File.AppendAllText(Path.Combine(LogDir, $"{_process.Id}.log"), line + "\n");
    }

    private static readonly string? LogDir = Environment.GetEnvironmentVariable("ORLEANSZK_SILO_LOG_DIR") is { Length: > 0 } dir ? dir : null;

    /// <summary>Both output readers append to the one file.</summary>
    private readonly Lock _keepLock = new();

    [GeneratedRegex(@"^OrleansZk silo \d+ ready: gateway (?<gateway>[^,]+:(?<gport>\d+)), silo port (?<sport>\d+), client port (?<client>[^,]+), data (?<data>.+)$")]
    private static partial Regex ReadyLine();

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    private static string FindSiloDll()
    {
        var built = Metadata("SiloDll");
        if (built is not null && File.Exists(built)) return built;
        var candidates = new[] { "Release", "Debug" }
            .Select(c => Path.Combine(FindRepoRoot(), "silo", "OrleansZk.Silo", "bin", c, "net10.0", "OrleansZk.Silo.dll"))
            .Where(File.Exists)
            .OrderByDescending(File.GetLastWriteTimeUtc)
            .ToList();
        return candidates.Count > 0
            ? candidates[0]
            : throw new FileNotFoundException($"OrleansZk.Silo.dll not found (expected {built}); build silo/OrleansZk.Silo first");
    }

    private static string FindRepoRoot()
    {
        var root = Metadata("RepoRoot");
        if (root is not null && File.Exists(Path.Combine(root, "OrleansZk.sln"))) return root;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansZk.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("no OrleansZk.sln above " + AppContext.BaseDirectory);
    }

    private static string? Metadata(string key) =>
        typeof(SiloProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;
}

/// <summary>The silo exited before it was ready.</summary>
public sealed class SiloExitedException(int exitCode, string output)
    : Exception($"silo exited with code {exitCode} before it was ready\n{output}")
{
    public int ExitCode { get; } = exitCode;
    public string ProcessOutput { get; } = output;
}
