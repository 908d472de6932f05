using System.Diagnostics;
using System.Text;
using OrleansZk.Client;
using OrleansZk.Database;
using Xunit.Abstractions;

namespace OrleansZk.Silo.Tests.Cluster;

/// <summary>
/// Whole clusters starting: three silos at the same instant on an empty database (the schema is
/// applied once, nobody fails), and a cluster whose silos were all SIGKILLed serving again within
/// 30 s of the kill (their old Active rows are declared dead by the restarted silos).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RestartTests(PostgresFixture postgres, ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan FullRestartLimit = TimeSpan.FromSeconds(30);

    private readonly SiloRunner _runner = new();

    public void Dispose() => _runner.Dispose();

    [Theory]
    [InlineData(DbKind.Sqlite)]
    [InlineData(DbKind.Postgres)]
    public async Task Three_silos_started_at_the_same_instant_on_an_empty_database_all_join(DbKind kind)
    {
        var cluster = await NewClusterAsync(kind);
        Assert.Equal(0, await SchemaMigrator.ReadVersionAsync(cluster.Database.Database));
        var members = await Task.WhenAll(cluster.StartAsync(replicaId: 0), cluster.StartAsync(replicaId: 1), cluster.StartAsync(replicaId: 0));

        Assert.Equal(SchemaScripts.CurrentVersion, Convert.ToInt32(await cluster.Database.ScalarAsync("SELECT COUNT(*) FROM OrleansZkSchema")));
        foreach (var member in members) await cluster.ActiveGenerationAsync(member);
        var rows = await cluster.Database.MembersAsync();
        if (rows.Count(r => r.Status == MemberStatus.Active) != 3)
        {
            // Seen once under CI load (2 Active, none Dead, right after each was seen Active): say what the table held, then require the cluster to settle with all three.
            output.WriteLine($"right after all three were seen Active, the table held: {string.Join("; ", rows)}");
            rows = await cluster.WaitForAsync(r => r.Count(m => m.Status == MemberStatus.Active) == 3 ? r : null, FullRestartLimit, "three Active members");
        }
        Assert.DoesNotContain(rows, r => r.Status == MemberStatus.Dead);

        foreach (var member in members)
        {
            var zk = await cluster.ConnectAsync(member.Ready.Gateway);
            await zk.CreateAsync($"/via-{member.Ready.GatewayPort}", null);
        }
    }

    [Theory]
    [InlineData(DbKind.Sqlite)]
    [InlineData(DbKind.Postgres)]
    public async Task All_silos_SIGKILLed_and_restarted_serve_a_write_within_30_s(DbKind kind)
    {
        var cluster = await NewClusterAsync(kind);
        Member[] members = [await cluster.StartAsync(replicaId: 0), await cluster.StartAsync(replicaId: 1), await cluster.StartAsync(replicaId: 0)];
        var gateways = SiloCluster.Gateways(members);
        var zk = await cluster.ConnectAsync(gateways);
        await zk.CreateAsync("/restart", Encoding.UTF8.GetBytes("before"));

        var clock = Stopwatch.StartNew();
        foreach (var member in members) member.Process.KillHard();
        foreach (var member in members) await member.Process.WaitExitAsync();
        var restarted = await Task.WhenAll(members.Select(cluster.RestartAsync));
        var ready = clock.Elapsed;

        // A new client, as an application restarted with the cluster would make.
        var write = await SiloCluster.UntilServedAsync(async () =>
        {
            var client = await ZkClient.ConnectAsync(gateways, new ZkClientOptions { RequestTimeout = TimeSpan.FromSeconds(5) });
            try
            {
                await client.SetDataAsync("/restart", Encoding.UTF8.GetBytes("after"));
                return clock.Elapsed;
            }
            finally
            {
                await SiloRunner.CloseQuietlyAsync(client);
            }
        }, FullRestartLimit, "the first write after the full restart");
        output.WriteLine($"{kind}: all silos ready {ready.TotalMilliseconds:0} ms after the SIGKILL of all three; first write served at {write.TotalMilliseconds:0} ms");
        Assert.True(write < FullRestartLimit, $"first write after {write}");

        // The old incarnations are dead, the new ones active; the old client's session survived.
        foreach (var member in restarted) await cluster.ActiveGenerationAsync(member);
        Assert.Equal(3, (await cluster.Database.MembersAsync()).Count(r => r.Status == MemberStatus.Active));
        Assert.Equal("after", Encoding.UTF8.GetString((await SiloCluster.UntilServedAsync(() => zk.GetDataAsync("/restart"), FullRestartLimit, "old client's read")).Data!));
    }

    private async Task<SiloCluster> NewClusterAsync(DbKind kind)
    {
        var data = _runner.NewDirectory("data");
        return new SiloCluster(_runner, await ClusterDatabase.CreateAsync(kind, data, postgres), data);
    }
}
