using System.Diagnostics;
using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.Silo.Tests.Cluster;

/// <summary>One silo process of a <see cref="SiloCluster"/>: what it printed, its ports and the replica it hosts (0: none).</summary>
public sealed record Member(SiloProcess Process, SiloReady Ready, long ReplicaId)
{
    public (int Silo, int Gateway) Ports => (Ready.SiloPort, Ready.GatewayPort);
}

/// <summary>
/// Silo processes on one database with AdoNet clustering, sharing one data directory (so the
/// SQLite default is the same file for all): start, SIGKILL, restart on the same ports, and wait
/// on what the membership table says.
/// </summary>
public sealed class SiloCluster(SiloRunner runner, ClusterDatabase database, string dataDir)
{
    /// <summary>How long a silo may take to be declared dead after a SIGKILL (tuned to a few seconds; generous for a loaded 2-core machine).</summary>
    public static readonly TimeSpan DeathDeadline = TimeSpan.FromSeconds(20);

    public ClusterDatabase Database { get; } = database;

    public string DataDir { get; } = dataDir;

    /// <summary>Starts a silo hosting <paramref name="replicaId"/> (0: none) and waits for its ready line.</summary>
    public async Task<Member> StartAsync(long replicaId, (int Silo, int Gateway)? ports = null, params string[] extraArgs)
    {
        var (process, ready) = await runner.StartAsync(DataDir, ports, [$"--OrleansZk:ReplicaId={replicaId}", .. Database.SiloArgs, .. extraArgs]);
        return new Member(process, ready, replicaId);
    }

    /// <summary>Starts a silo again on the ports it had (a restarted process, a new Orleans generation).</summary>
    public Task<Member> RestartAsync(Member member) => StartAsync(member.ReplicaId, member.Ports);

    /// <summary>A gateway list naming every member given.</summary>
    public static string Gateways(params Member[] members) => string.Join(",", members.Select(m => m.Ready.Gateway));

    /// <summary>A client through <paramref name="connectString"/> with a long session, closed when the runner is disposed.</summary>
    public Task<ZkClient> ConnectAsync(string connectString, TimeSpan? requestTimeout = null) =>
        runner.ConnectAsync(connectString, new ZkClientOptions { SessionTimeoutMs = 30_000, RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(20) });

    /// <summary>The newest generation of the silo on <paramref name="member"/>'s port, once the table shows it Active.</summary>
    public async Task<int> ActiveGenerationAsync(Member member, TimeSpan? deadline = null)
    {
        var row = await WaitForAsync(rows => rows.Where(r => r.Port == member.Ready.SiloPort).MaxBy(r => r.Generation) is { Status: MemberStatus.Active } newest ? newest : null,
            deadline ?? TimeSpan.FromSeconds(30), $"silo port {member.Ready.SiloPort} Active in the membership table");
        return row.Generation;
    }

    /// <summary>SIGKILLs <paramref name="member"/> (whose table generation is <paramref name="generation"/>) and returns how long until the table says it is Dead.</summary>
    public async Task<TimeSpan> KillAndWaitDeadAsync(Member member, int generation)
    {
        var clock = Stopwatch.StartNew();
        member.Process.KillHard();
        await member.Process.WaitExitAsync();
        await WaitForAsync(rows => rows.FirstOrDefault(r => r.Port == member.Ready.SiloPort && r.Generation == generation && r.Status == MemberStatus.Dead),
            DeathDeadline, $"silo port {member.Ready.SiloPort} generation {generation} declared Dead");
        return clock.Elapsed;
    }

    /// <summary>Polls the membership table until <paramref name="probe"/> finds something; throws with the table if the deadline passes.</summary>
    public async Task<T> WaitForAsync<T>(Func<IReadOnlyList<MemberRow>, T?> probe, TimeSpan deadline, string what) where T : class
    {
        var clock = Stopwatch.StartNew();
        IReadOnlyList<MemberRow> rows = [];
        while (clock.Elapsed < deadline)
        {
            rows = await Database.MembersAsync();
            if (probe(rows) is { } found) return found;
            await Task.Delay(Poll.Retry);
        }
        throw new TimeoutException($"{what}: not within {deadline}; table: {string.Join("; ", rows)}");
    }

    /// <summary>
    /// Runs <paramref name="operation"/> until it succeeds or <paramref name="deadline"/> passes,
    /// retrying on ConnectionLoss only: for idempotent calls (reads, creating a node that may
    /// already exist) while a client moves to another gateway or the service comes back.
    /// </summary>
    public static async Task<T> UntilServedAsync<T>(Func<Task<T>> operation, TimeSpan deadline, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await operation();
            }
            catch (ConnectionLossException e) when (clock.Elapsed < deadline)
            {
                _ = e;
                await Task.Delay(Poll.Retry);
            }
            catch (ConnectionLossException e)
            {
                throw new TimeoutException($"{what}: not served within {deadline}: {e.Message}", e);
            }
        }
    }
}
