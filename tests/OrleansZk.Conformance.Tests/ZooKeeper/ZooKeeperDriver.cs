using System.Diagnostics;
using System.Text;
using OrleansZk.Testing;

namespace OrleansZk.Conformance.Tests.ZooKeeper;

/// <summary>
/// A throwaway Apache ZooKeeper 3.8 server and a Java client in one JVM: the conformance
/// recorder's <c>DifferentialDriver</c> (compiled here from the recorder's sources), which starts a
/// fresh standalone server on 127.0.0.1 with a free port and answers scenario commands one line at
/// a time, rendered exactly as the recordings are. One caller at a time.
/// </summary>
internal sealed class ZooKeeperDriver : IAsyncDisposable
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly string _buildDir;
    private readonly StringBuilder _stderr = new();

    private ZooKeeperDriver(Process process, string buildDir)
    {
        _process = process;
        _buildDir = buildDir;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data == null) return;
            lock (_stderr)
            {
                if (_stderr.Length > 20_000) _stderr.Remove(0, 10_000);
                _stderr.AppendLine(e.Data);
            }
        };
        _process.BeginErrorReadLine();
    }

    /// <summary>The server's "127.0.0.1:port".</summary>
    public string ConnectString { get; private set; } = "";

    /// <summary>Installs ZooKeeper if needed, compiles the driver, starts it and waits for its server.</summary>
    public static async Task<ZooKeeperDriver> StartAsync()
    {
        await ZooKeeperInstall.EnsureAsync();
        var sources = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "recorder"), "*.java");
        var build = Directory.CreateTempSubdirectory("orleanszk-zk-driver-").FullName;
        var (code, output) = await ZooKeeperInstall.RunAsync(
            ["javac", "-nowarn", "-d", build, "-cp", ZooKeeperInstall.ClassPath, .. sources], TimeSpan.FromMinutes(2));
        if (code != 0) throw new InvalidOperationException("javac failed on the recorder's sources:\n" + output);

        var info = new ProcessStartInfo("java")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var arg in new[] { "-Xmx512m", "-XX:+UseSerialGC", "-Dfile.encoding=UTF-8", "-cp", build + ":" + ZooKeeperInstall.ClassPath, "DifferentialDriver" })
            info.ArgumentList.Add(arg);
        var driver = new ZooKeeperDriver(Process.Start(info) ?? throw new InvalidOperationException("could not start java"), build);
        var ready = await driver.ReadLineAsync(TimeSpan.FromMinutes(1));
        if (!ready.StartsWith("READY ", StringComparison.Ordinal))
            throw new InvalidOperationException($"the ZooKeeper driver said \"{ready}\" instead of READY\n{driver.Stderr}");
        driver.ConnectString = ready["READY ".Length..];
        return driver;
    }

    /// <summary>Sends one command (scenario syntax, or "reset") and returns ZooKeeper's answer line.</summary>
    public async Task<string> SendAsync(string command)
    {
        if (command.Contains('\n') || command.Contains('\r')) throw new ArgumentException("one line only", nameof(command));
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
        var answer = await ReadLineAsync(AnswerTimeout);
        if (answer.StartsWith("SCENARIO-ERROR", StringComparison.Ordinal))
            throw new InvalidOperationException($"the driver could not run \"{command}\": {answer}");
        return answer;
    }

    /// <summary>What the JVM wrote on stderr lately (for failure messages).</summary>
    public string Stderr
    {
        get
        {
            lock (_stderr) return _stderr.ToString();
        }
    }

    private async Task<string> ReadLineAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            return await _process.StandardOutput.ReadLineAsync(deadline.Token)
                ?? throw new InvalidOperationException("the ZooKeeper driver exited:\n" + Stderr);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no answer from the ZooKeeper driver within {timeout}:\n{Stderr}");
        }
    }

    /// <summary>Ends the driver (end of input shuts its server down), killing it if it does not exit in time.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_buildDir, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory left behind is harmless.
        }
    }
}
