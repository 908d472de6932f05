using System.Diagnostics;
using System.Globalization;
using OrleansZk.Clients.Tests.Support;
using OrleansZk.Testing;

namespace OrleansZk.Clients.Tests.Targets;

/// <summary>
/// OrleansZk as ZooKeeper's clients meet it: two real silo processes (silo/OrleansZk.Silo's build,
/// started with <see cref="SiloProcess"/>) on one SQLite membership table (AdoNet clustering) in
/// one data directory, each listening for ZooKeeper clients on a free 127.0.0.1 client port. The
/// first hosts the ensemble's only replica, the second none (it serves partitions and clients),
/// so a session moved by the harness's <c>switch</c> lands on another process. Configured as the
/// suite needs (see <see cref="Settings"/>), as <see cref="ZooKeeperTarget"/>'s zoo.cfg.
/// </summary>
public sealed class OrleansZkTarget : IZkTarget
{
    /// <summary>How long a started silo may take to print its ready line and to serve a session (two busy cores).</summary>
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);

    /// <summary>How long a silo may take to stop cleanly before it is killed.</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(20);

    private readonly string _home = Directory.CreateTempSubdirectory("orleanszk-clients-silo-").FullName;
    private readonly Member[] _members = [new(replicaId: 1), new(replicaId: 0)];
    private int _generation;

    public string Name => "OrleansZk (two silos, one replica)";

    public IReadOnlyList<string> Servers => [.. _members.Select(m => $"127.0.0.1:{m.ClientPort}")];

    /// <summary>The current data directory: the SQLite membership table and the replica's log and snapshots.</summary>
    private string DataDir => Path.Combine(_home, $"data-{_generation}");

    public async Task StartAsync(CancellationToken ct)
    {
        foreach (var member in _members)
        {
            member.ClientPort = Ports.Free();
            member.SiloPort = Ports.Free();
            member.GatewayPort = Ports.Free();
        }
        Directory.CreateDirectory(DataDir);
        await LaunchAsync(ct);
    }

    /// <summary>Stops the silos cleanly (SIGTERM) and starts them on the same ports and data directory.</summary>
    public async Task RestartAsync(CancellationToken ct)
    {
        await StopAsync(clean: true, ct);
        await LaunchAsync(ct);
    }

    /// <summary>Kills the silos and starts them on a new, empty data directory.</summary>
    public async Task ResetAsync(CancellationToken ct)
    {
        await StopAsync(clean: false, ct);
        TryDelete(DataDir);
        _generation++;
        Directory.CreateDirectory(DataDir);
        await LaunchAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        using var deadline = new CancellationTokenSource(StopTimeout);
        await StopAsync(clean: false, deadline.Token);
        TryDelete(_home);
    }

    /// <summary>
    /// The command line of a member: the ports, the shared data directory and membership table, and
    /// what the suite needs. A tick of 500 ms with sessions of 1 s to 40 s, containers and expired
    /// TTL nodes reaped every 100 ms, every four-letter word answered.
    /// </summary>
    private string[] Settings(Member member) =>
    [
        "--OrleansZk:Clustering=AdoNet",
        "--OrleansZk:Ensemble=1",
        "--OrleansZk:ReplicaId=" + member.ReplicaId.ToString(CultureInfo.InvariantCulture),
        "--OrleansZk:DataDir=" + DataDir,
        "--OrleansZk:SiloPort=" + member.SiloPort.ToString(CultureInfo.InvariantCulture),
        "--OrleansZk:GatewayPort=" + member.GatewayPort.ToString(CultureInfo.InvariantCulture),
        "--OrleansZk:ClientPort=" + member.ClientPort.ToString(CultureInfo.InvariantCulture),
        "--OrleansZk:TickTimeMs=500",
        "--OrleansZk:MinSessionTimeoutMs=1000",
        "--OrleansZk:MaxSessionTimeoutMs=40000",
        "--OrleansZk:ContainerCheckIntervalMs=100",
        "--OrleansZk:TtlEnabled=true",
        "--OrleansZk:FourLetterWords=*",
    ];

    /// <summary>Starts every member at once (as silo/ensemble.sh does) and returns once each serves a session on its client port.</summary>
    private async Task LaunchAsync(CancellationToken ct)
    {
        foreach (var member in _members) member.Process = SiloProcess.Start(Settings(member), _home);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(ReadyTimeout);
        await Task.WhenAll(_members.Select(m => WaitUntilServingAsync(m, deadline.Token)));
    }

    private async Task WaitUntilServingAsync(Member member, CancellationToken ct)
    {
        var silo = member.Process!;
        try
        {
            await silo.WaitReadyAsync(ReadyTimeout);
            while (!await ZkSessionProbe.OpensAsync(member.ClientPort, ct))
            {
                if (silo.HasExited) throw new InvalidOperationException("the silo exited");
                await Task.Delay(Poll.Interval, ct);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or TimeoutException or SiloExitedException)
        {
            throw new InvalidOperationException(
                $"OrleansZk silo (replica {member.ReplicaId}) did not serve on 127.0.0.1:{member.ClientPort}: {e.Message}\n{Tail(silo.Output)}", e);
        }
    }

    /// <summary>Stops every member (SIGTERM, or SIGKILL when not <paramref name="clean"/> or when a clean stop takes too long) and waits until their ports are free.</summary>
    private async Task StopAsync(bool clean, CancellationToken ct)
    {
        await Task.WhenAll(_members.Select(async member =>
        {
            if (member.Process is not { } silo) return;
            member.Process = null;
            using (silo)
            {
                if (!silo.HasExited)
                {
                    if (clean) silo.Terminate();
                    else silo.KillHard();
                    try
                    {
                        await silo.WaitExitAsync(clean ? StopTimeout : ReadyTimeout);
                    }
                    catch (TimeoutException)
                    {
                        silo.KillHard();
                        await silo.WaitExitAsync(ReadyTimeout);
                    }
                }
            }
            await Ports.WaitUntilRefusingAsync(member.ClientPort, ct);
            await Ports.WaitUntilRefusingAsync(member.GatewayPort, ct);
            await Ports.WaitUntilRefusingAsync(member.SiloPort, ct);
        }));
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : "…" + text[^4000..];

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory left behind is harmless.
        }
    }

    /// <summary>One silo: the replica it hosts (0: none), its ports for the target's lifetime, its process while it runs.</summary>
    private sealed class Member(long replicaId)
    {
        public long ReplicaId { get; } = replicaId;
        public int ClientPort { get; set; }
        public int SiloPort { get; set; }
        public int GatewayPort { get; set; }
        public SiloProcess? Process { get; set; }
    }
}
