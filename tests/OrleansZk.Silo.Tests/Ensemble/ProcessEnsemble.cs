using System.Diagnostics;
using OrleansZk.Client;
using OrleansZk.Silo.Tests.Cluster;

namespace OrleansZk.Silo.Tests.Ensemble;

/// <summary>
/// An ensemble of real silo processes as <c>silo/ensemble.sh</c> starts it: member i hosts replica
/// i of ensemble 1..N, all on one SQLite membership table (AdoNet clustering) and one data
/// directory root (replica i's files in <c>replica-i</c>), so any member may be SIGKILLed or
/// SIGSTOPped. Short engine timers (20 ms ticks, 1 s sync limit) as the default's.
/// </summary>
public sealed class ProcessEnsemble : IAsyncDisposable
{
    private readonly SiloRunner _runner;
    private readonly SiloCluster _cluster;
    private readonly Member?[] _members;
    private ClusterInspector? _inspector;

    private ProcessEnsemble(SiloRunner runner, SiloCluster cluster, int size)
    {
        _runner = runner;
        _cluster = cluster;
        _members = new Member?[size + 1];
    }

    public IReadOnlyList<long> Ids => Enumerable.Range(1, _members.Length - 1).Select(i => (long)i).ToArray();

    /// <summary>Every member's gateway (those down included: clients skip them).</summary>
    public string Gateways { get; private set; } = "";

    /// <summary>Settings every member starts with (besides its replica id, ports and the shared data directory).</summary>
    public string[] Settings { get; private set; }
        = ["--OrleansZk:ZabTickMs=20", "--OrleansZk:SyncLimitMs=1000", "--OrleansZk:TickTimeMs=500", "--OrleansZk:Partitions=16"];

    public static async Task<ProcessEnsemble> StartAsync(SiloRunner runner, int size, params string[] extraSettings)
    {
        var dataDir = runner.NewDirectory("ensemble");
        var database = await ClusterDatabase.CreateAsync(DbKind.Sqlite, dataDir, new PostgresFixture());
        var ensemble = new ProcessEnsemble(runner, new SiloCluster(runner, database, dataDir), size);
        ensemble.Settings = [.. ensemble.Settings, .. extraSettings];
        var started = await Task.WhenAll(ensemble.Ids.Select(id => ensemble.StartMemberAsync(id, null)));
        ensemble.Gateways = SiloCluster.Gateways(started);
        return ensemble;
    }

    private async Task<Member> StartMemberAsync(long id, (int Silo, int Gateway)? ports)
    {
        var member = await _cluster.StartAsync(id, ports, [$"--OrleansZk:Ensemble={string.Join(',', Ids)}", .. Settings]);
        _members[id] = member;
        return member;
    }

    public Member this[long id] => _members[id] ?? throw new InvalidOperationException($"member {id} is not running");

    /// <summary>A client over every member's gateway, with its own session.</summary>
    public Task<ZkClient> ConnectAsync(int sessionTimeoutMs = 30_000) =>
        _runner.ConnectAsync(Gateways, new ZkClientOptions { SessionTimeoutMs = sessionTimeoutMs, RequestTimeout = TimeSpan.FromSeconds(15) });

    /// <summary>An Orleans client of the test's own, for calls straight to the replicas.</summary>
    public async Task<ClusterInspector> InspectorAsync() =>
        _inspector ??= await ClusterInspector.ConnectAsync(_members.Where(m => m is not null).Select(m => m!).ToArray());

    /// <summary>SIGKILLs member <paramref name="id"/> and waits for the process to be gone.</summary>
    public async Task KillAsync(long id)
    {
        var member = this[id];
        member.Process.KillHard();
        await member.Process.WaitExitAsync();
        _members[id] = null;
    }

    /// <summary>
    /// Starts member <paramref name="id"/> again on its ports (its replica recovers from its data
    /// directory). A port the killed process held may take a moment to be free again (connections
    /// closing): the silo refuses a taken port, and is started again until the port is free.
    /// </summary>
    public async Task RestartAsync(long id, (int Silo, int Gateway) ports)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await StartMemberAsync(id, ports);
                return;
            }
            catch (SiloExitedException e) when (e.ProcessOutput.Contains("already in use") && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(Poll.Retry);
            }
        }
    }

    /// <summary>Forgets member <paramref name="id"/>, whose process exited by itself (it is restarted with <see cref="RestartAsync"/>).</summary>
    public Task ForgetAsync(long id)
    {
        _members[id] = null;
        return Task.CompletedTask;
    }

    /// <summary>The ports member <paramref name="id"/> listens on.</summary>
    public (int Silo, int Gateway) PortsOf(long id) => this[id].Ports;

    /// <summary>
    /// Waits until one replica serves as leader with every other live member following it in sync
    /// (asked through <paramref name="client"/>); returns its status and how long that took.
    /// </summary>
    public async Task<(ReplicaStatus Leader, TimeSpan Took)> SettledLeaderAsync(ZkClient client, TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        IReadOnlyList<ReplicaStatus> last = [];
        while (clock.Elapsed < deadline)
        {
            try
            {
                last = await client.GetEnsembleStatusAsync();
                var live = Ids.Where(id => _members[id] is not null).ToList();
                if (last.SingleOrDefault(s => s.Role == "Leading" && s.Serving) is { } leader
                    && live.Where(id => id != leader.ReplicaId).All(id => leader.FollowersInSync.Contains(id)))
                    return (leader, clock.Elapsed);
            }
            catch (Core.ZkException)
            {
                // The gateway or the status call failed during a change: ask again.
            }
            await Task.Delay(Poll.Interval);
        }
        throw new TimeoutException($"no settled leader within {deadline}: {string.Join("; ", last.Select(s => $"{s.ReplicaId} {s.Role} {s.Phase} e{s.Epoch} sync[{string.Join(",", s.FollowersInSync)}] {s.Detail}"))}");
    }

    /// <summary>Every live replica's tree digest once they have all applied the same zxid (at least <paramref name="atLeast"/>).</summary>
    public async Task<IReadOnlyList<TreeDigest>> DigestsAsync(long atLeast, TimeSpan deadline)
    {
        var inspector = await InspectorAsync();
        var clock = Stopwatch.StartNew();
        TreeDigest[] digests = [];
        while (clock.Elapsed < deadline)
        {
            digests = await Task.WhenAll(Ids.Where(id => _members[id] is not null)
                .Select(id => inspector.Grains.GetGrain<IZkReplicaGrain>(id).GetTreeDigest()));
            if (digests.Select(d => d.Zxid).Distinct().Count() == 1 && digests[0].Zxid >= atLeast) return digests;
            await Task.Delay(Poll.Interval);
        }
        throw new TimeoutException($"replicas not at one zxid >= 0x{atLeast:x} within {deadline}: {string.Join(", ", digests.Select(d => $"{d.ReplicaId}@0x{d.Zxid:x}"))}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_inspector is not null) await _inspector.DisposeAsync();
    }
}
