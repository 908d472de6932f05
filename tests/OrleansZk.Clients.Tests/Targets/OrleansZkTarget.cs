using System.Globalization;
using OrleansZk.Clients.Tests.Support;
using OrleansZk.Testing;

namespace OrleansZk.Clients.Tests.Targets;

/// <summary>
/// OrleansZk as ZooKeeper's clients meet it: a pair of real silo processes (silo/OrleansZk.Silo's
/// build, started with <see cref="SiloProcess"/>) on one SQLite membership table (AdoNet
/// clustering) in one data directory, each serving ZooKeeper clients on a free 127.0.0.1 client
/// port. The first silo hosts the ensemble's only replica, the second none (it serves partitions
/// and clients), so a session moved by the harness's <c>switch</c> lands on another process.
/// Configured as the suite needs (<see cref="Settings"/>), as <see cref="ZooKeeperTarget"/>'s zoo.cfg.
/// </summary>
/// <remarks>
/// <see cref="Servers"/> are two <see cref="TcpRelay"/>s of the target's own in front of the pair's
/// client ports. A silo takes seconds to start, and the zkCli suite resets the target before each
/// transcript: after a reset the next fresh pair is started in the background, and the next reset
/// points the relays at it and kills the used one, so a transcript runs while its successor's
/// silos start.
/// </remarks>
public sealed class OrleansZkTarget : IZkTarget
{
    /// <summary>How long a started silo may take to print its ready line and to serve a session (two busy cores).</summary>
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);

    /// <summary>How long a silo may take to stop cleanly before it is killed.</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(20);

    private readonly string _home = Directory.CreateTempSubdirectory("orleanszk-clients-silo-").FullName;
    private readonly CancellationTokenSource _disposing = new();
    private TcpRelay[] _relays = [];
    private Pair? _active;
    private Task<Pair>? _spare;
    private int _pairs;

    public string Name => "OrleansZk (two silos, one replica)";

    public IReadOnlyList<string> Servers => [.. _relays.Select(r => r.Address)];

    public async Task StartAsync(CancellationToken ct)
    {
        _active = await StartPairAsync(ct);
        _relays = [.. _active.Members.Select(m => TcpRelay.Start([m.ClientAddress]))];
    }

    /// <summary>Stops the pair cleanly (SIGTERM) and starts it again on the same ports and data directory.</summary>
    public async Task RestartAsync(CancellationToken ct)
    {
        var pair = _active ?? throw new InvalidOperationException("not started");
        await pair.StopAsync(clean: true, ct);
        await pair.LaunchAsync(ct);
    }

    /// <summary>Points the relays at a fresh pair (the one started in the background after the last reset, if it serves) and kills the used one.</summary>
    public async Task ResetAsync(CancellationToken ct)
    {
        var used = _active ?? throw new InvalidOperationException("not started");
        var fresh = await TakeSpareAsync(ct) ?? await StartPairAsync(ct);
        for (var i = 0; i < _relays.Length; i++) _relays[i].Retarget([fresh.Members[i].ClientAddress]);
        _active = fresh;
        await used.DisposeAsync();
        _spare = StartPairAsync(_disposing.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _disposing.CancelAsync();
        if (_spare is { } spare)
        {
            try
            {
                await (await spare).DisposeAsync();
            }
            catch (Exception e) when (e is OperationCanceledException or InvalidOperationException)
            {
                // It never served (its processes are already stopped).
            }
        }
        if (_active is { } active) await active.DisposeAsync();
        foreach (var relay in _relays) await relay.DisposeAsync();
        _disposing.Dispose();
        TryDelete(_home);
    }

    /// <summary>The pair started in the background, once it serves; null (and it is discarded) when it failed to start.</summary>
    private async Task<Pair?> TakeSpareAsync(CancellationToken ct)
    {
        if (_spare is not { } spare) return null;
        _spare = null;
        try
        {
            return await spare.WaitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            _spare = spare; // still starting: disposed with the target
            throw;
        }
        catch (InvalidOperationException)
        {
            // Reported again, with its output, if a pair started now fails the same way.
            return null;
        }
    }

    /// <summary>A new pair on a new data directory and free ports (other ones if a port was taken meanwhile), once both silos serve.</summary>
    private async Task<Pair> StartPairAsync(CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var pair = new Pair(Path.Combine(_home, $"pair-{Interlocked.Increment(ref _pairs)}"));
            try
            {
                await pair.LaunchAsync(ct);
                return pair;
            }
            catch (InvalidOperationException e) when (attempt < 3 && e.Message.Contains("already in use", StringComparison.Ordinal))
            {
                await pair.DisposeAsync();
            }
            catch
            {
                await pair.DisposeAsync();
                throw;
            }
        }
    }

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

    /// <summary>
    /// Two silos sharing <paramref name="home"/> (the SQLite membership table, the replica's log and
    /// snapshots), each with ports of its own for the pair's life.
    /// </summary>
    private sealed class Pair(string home) : IAsyncDisposable
    {
        public Member[] Members { get; } = [new(replicaId: 1), new(replicaId: 0)];

        /// <summary>Starts both silos at once (as silo/ensemble.sh does) and returns once each serves a session on its client port.</summary>
        public async Task LaunchAsync(CancellationToken ct)
        {
            Directory.CreateDirectory(home);
            foreach (var member in Members) member.Process = SiloProcess.Start(Settings(member), home);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(ReadyTimeout);
            await Task.WhenAll(Members.Select(m => m.WaitUntilServingAsync(deadline.Token)));
        }

        /// <summary>Stops both silos (SIGTERM, or SIGKILL when not <paramref name="clean"/> or when a clean stop takes too long) and waits until their ports are free.</summary>
        public Task StopAsync(bool clean, CancellationToken ct) => Task.WhenAll(Members.Select(m => m.StopAsync(clean, ct)));

        /// <summary>Kills both silos and removes the pair's directory.</summary>
        public async ValueTask DisposeAsync()
        {
            using var deadline = new CancellationTokenSource(StopTimeout);
            await StopAsync(clean: false, deadline.Token);
            TryDelete(home);
        }

        /// <summary>
        /// The command line of a member: its ports, the pair's data directory and membership table,
        /// and what the suite needs: a tick of 500 ms with sessions of 1 s to 40 s, containers and
        /// expired TTL nodes reaped every 100 ms, every four-letter word answered.
        /// </summary>
        private string[] Settings(Member member) =>
        [
            "--OrleansZk:Clustering=AdoNet",
            "--OrleansZk:Ensemble=1",
            "--OrleansZk:ReplicaId=" + member.ReplicaId.ToString(CultureInfo.InvariantCulture),
            "--OrleansZk:DataDir=" + home,
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
    }

    /// <summary>One silo: the replica it hosts (0: none), its ports, its process while it runs.</summary>
    private sealed class Member(long replicaId)
    {
        public long ReplicaId { get; } = replicaId;
        public int ClientPort { get; } = Ports.Free();
        public int SiloPort { get; } = Ports.Free();
        public int GatewayPort { get; } = Ports.Free();
        public SiloProcess? Process { get; set; }

        public string ClientAddress => "127.0.0.1:" + ClientPort.ToString(CultureInfo.InvariantCulture);

        /// <summary>Returns once the silo printed its ready line and grants a session on its client port (it prints the line slightly before).</summary>
        public async Task WaitUntilServingAsync(CancellationToken ct)
        {
            var silo = Process ?? throw new InvalidOperationException("not started");
            try
            {
                await silo.WaitReadyAsync(ReadyTimeout).WaitAsync(ct);
                while (!await ZkSessionProbe.OpensAsync(ClientPort, ct))
                {
                    if (silo.HasExited) throw new InvalidOperationException("the silo exited");
                    await Task.Delay(Poll.Interval, ct);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or TimeoutException or SiloExitedException)
            {
                throw new InvalidOperationException(
                    $"OrleansZk silo (replica {ReplicaId}) did not serve on {ClientAddress}: {e.Message}\n{Tail(silo.Output)}", e);
            }
        }

        public async Task StopAsync(bool clean, CancellationToken ct)
        {
            if (Process is not { } silo) return;
            Process = null;
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
            await Ports.WaitUntilRefusingAsync(ClientPort, ct);
            await Ports.WaitUntilRefusingAsync(GatewayPort, ct);
            await Ports.WaitUntilRefusingAsync(SiloPort, ct);
        }

        private static string Tail(string text) => text.Length <= 4000 ? text : "…" + text[^4000..];
    }
}
