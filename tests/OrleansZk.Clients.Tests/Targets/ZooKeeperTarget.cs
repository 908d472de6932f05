using System.Diagnostics;
using System.Globalization;
using OrleansZk.Clients.Tests.Support;
using OrleansZk.Testing.Installs;

namespace OrleansZk.Clients.Tests.Targets;

/// <summary>
/// Apache ZooKeeper 3.8 from Debian's <c>zookeeper</c> package (installed with apt-get when
/// missing): one standalone server (<c>ZooKeeperServerMain</c>) in its own JVM on a free
/// 127.0.0.1 port, its data in a temporary directory. Configured as the suite needs (see
/// <see cref="Config"/>): TTL nodes on, containers and expired TTL nodes reaped within a tenth of
/// a second, session timeouts from 1 s to 40 s, every four-letter word allowed.
/// </summary>
public sealed class ZooKeeperTarget : IZkTarget
{
    /// <summary>How long a started server may take to listen (a JVM on two busy cores).</summary>
    private static readonly TimeSpan ListenTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Between two looks at whether a starting server serves.</summary>
    private static readonly TimeSpan ServeInterval = TimeSpan.FromMilliseconds(50);

    private readonly string _home = Directory.CreateTempSubdirectory("orleanszk-clients-zk-").FullName;
    private int _port;
    private Process? _server;
    private StreamWriter? _serverLog;
    private int _launches;

    public string Name => "Apache ZooKeeper 3.8 (standalone)";

    public IReadOnlyList<string> Servers => [$"127.0.0.1:{_port}"];

    private string DataDir => Path.Combine(_home, "data");

    /// <summary>What the current server process writes (one file per start).</summary>
    private string LogFile => Path.Combine(_home, $"server-{_launches}.log");

    public async Task StartAsync(CancellationToken ct)
    {
        await ZooKeeperInstall.EnsureAsync("CLIENT SUITE");
        _port = Ports.Free();
        Directory.CreateDirectory(DataDir);
        await File.WriteAllTextAsync(Path.Combine(_home, "zoo.cfg"), Config(), ct);
        await LaunchAsync(ct);
    }

    public async Task RestartAsync(CancellationToken ct)
    {
        await StopAsync(ct);
        await LaunchAsync(ct);
    }

    public async Task ResetAsync(CancellationToken ct)
    {
        await StopAsync(ct);
        Directory.Delete(DataDir, recursive: true);
        Directory.CreateDirectory(DataDir);
        await LaunchAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        using var deadline = new CancellationTokenSource(ListenTimeout);
        await StopAsync(deadline.Token);
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory left behind is harmless.
        }
    }

    /// <summary>
    /// zoo.cfg. A tick of 500 ms lets sessions of 1 s exist (the minimum is two ticks) and expire
    /// soon after their timeout (expiry is checked every tick); the maximum is set back to the
    /// 40 s a default 2 s tick allows, which zkCli's 30 s sessions need.
    /// </summary>
    private string Config() => string.Join('\n',
        "tickTime=500",
        "minSessionTimeout=1000",
        "maxSessionTimeout=40000",
        "dataDir=" + DataDir,
        "clientPort=" + _port.ToString(CultureInfo.InvariantCulture),
        "clientPortAddress=127.0.0.1",
        "admin.enableServer=false",
        "4lw.commands.whitelist=*",
        "");

    private async Task LaunchAsync(CancellationToken ct)
    {
        var info = new ProcessStartInfo("java")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        string[] args =
        [
            "-Xmx256m", "-XX:+UseSerialGC",
            // TTL nodes (CreateMode.PERSISTENT_WITH_TTL, createTTL) are refused without it.
            "-Dzookeeper.extendedTypesEnabled=true",
            // The container manager deletes empty containers and expired TTL nodes; every minute by default.
            "-Dznode.container.checkIntervalMs=100",
            "-cp", ZooKeeperInstall.ClassPath,
            "org.apache.zookeeper.server.ZooKeeperServerMain", Path.Combine(_home, "zoo.cfg"),
        ];
        foreach (var arg in args) info.ArgumentList.Add(arg);
        var server = Process.Start(info) ?? throw new InvalidOperationException("could not start java");
        server.StandardInput.Close();
        _launches++;
        // Closed by StopAsync once WaitForExitAsync saw the end of both outputs: no line comes after.
        var log = new StreamWriter(new FileStream(LogFile, FileMode.Create, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        void Append(string? line)
        {
            if (line == null) return;
            lock (log) log.WriteLine(line);
        }
        server.OutputDataReceived += (_, e) => Append(e.Data);
        server.ErrorDataReceived += (_, e) => Append(e.Data);
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        _serverLog = log;
        _server = server;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(ListenTimeout);
        try
        {
            await WaitUntilServingAsync(server, deadline.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException)
        {
            throw new InvalidOperationException($"ZooKeeper did not serve on 127.0.0.1:{_port}:\n{ServerLog()}", e);
        }
    }

    /// <summary>
    /// Returns once the server answers the four-letter word <c>srvr</c> with its status: it listens
    /// before it has loaded its data, and until then leaves a session request unanswered.
    /// </summary>
    private async Task WaitUntilServingAsync(Process server, CancellationToken ct)
    {
        while (true)
        {
            if (server.HasExited) throw new InvalidOperationException($"ZooKeeper exited with {server.ExitCode}");
            if ((await FourLetterWord.AskAsync(_port, "srvr", ct)).StartsWith("Zookeeper version:", StringComparison.Ordinal)) return;
            await Task.Delay(ServeInterval, ct);
        }
    }

    /// <summary>Kills the server (its log is forced to disk before every reply, so nothing acknowledged is lost) and waits until its port is free.</summary>
    private async Task StopAsync(CancellationToken ct)
    {
        if (_server is not { } server) return;
        _server = null;
        if (!server.HasExited) server.Kill(entireProcessTree: true);
        // Also waits until the output readers saw the end of the server's output.
        await server.WaitForExitAsync(ct);
        server.Dispose();
        if (_serverLog is { } log)
        {
            lock (log) log.Dispose();
            _serverLog = null;
        }
        await Ports.WaitUntilRefusingAsync(_port, ct);
    }

    private string ServerLog()
    {
        try
        {
            using var reader = new StreamReader(new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            var text = reader.ReadToEnd();
            return text.Length <= 4000 ? text : "…" + text[^4000..];
        }
        catch (IOException e)
        {
            return "(no server log: " + e.Message + ")";
        }
    }
}
