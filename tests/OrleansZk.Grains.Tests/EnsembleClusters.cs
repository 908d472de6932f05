using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;
using OrleansZk.Client;

namespace OrleansZk.Grains.Tests;

/// <summary>
/// Links between in-process replicas that a test can cut (a network partition), shared by every
/// silo of a cluster (each silo's container gets the same instance).
/// </summary>
internal sealed class CutLinks : IReplicaLinks
{
    private readonly ConcurrentDictionary<(long, long), bool> _cut = new();

    public bool Allows(long from, long to) => !_cut.ContainsKey((from, to));

    /// <summary>Cuts every link between <paramref name="replica"/> and the others, both ways.</summary>
    public void Isolate(long replica, IEnumerable<long> others)
    {
        foreach (var o in others)
        {
            _cut[(replica, o)] = true;
            _cut[(o, replica)] = true;
        }
    }

    public void Heal() => _cut.Clear();
}

/// <summary>
/// An ensemble on TestingHost over TCP, fsync on: the primary silo hosts no replica (it holds the
/// test cluster's membership, so it must survive), secondary silo i hosts replica i. Short engine
/// timers so elections take a fraction of a second.
/// </summary>
public abstract class EnsembleCluster : IAsyncLifetime
{
    private readonly int _replicas;

    protected EnsembleCluster(int replicas) => _replicas = replicas;

    public TestCluster Cluster { get; private set; } = null!;

    /// <summary>
    /// An Orleans client whose only gateway is the primary silo (which never stops in these tests):
    /// calls never ride a connection to a silo a test stopped (the test cluster's own client would
    /// route some through it until its gateway list refreshes, and they would wait out their timeout).
    /// </summary>
    public IClusterClient Client { get; private set; } = null!;

    private IHost _clientHost = null!;

    public IGrainFactory GrainFactory => Client;

    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), "orleanszk-ensemble-" + Guid.NewGuid().ToString("N"));

    internal CutLinks Links { get; } = new();

    public IReadOnlyList<long> Ids => Enumerable.Range(1, _replicas).Select(i => (long)i).ToArray();

    /// <summary>The fixtures of running clusters, by data directory (a silo configurator is made by type, so it looks its fixture up).</summary>
    private static readonly ConcurrentDictionary<string, EnsembleCluster> Running = new();

    public async Task InitializeAsync()
    {
        Running[DataDir] = this;
        var builder = new TestClusterBuilder((short)(_replicas + 1));
        builder.Options.ClusterId = ZkDefaults.ClusterId;
        builder.Options.ServiceId = ZkDefaults.ServiceId;
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        builder.Properties["EnsembleDataDir"] = DataDir;
        builder.AddSiloBuilderConfigurator<Configurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        _clientHost = await StartClientHostAsync(Cluster.Primary!.GatewayAddress.Endpoint);
        Client = _clientHost.Services.GetRequiredService<IClusterClient>();
    }

    /// <summary>Starts an Orleans client of the cluster whose only gateways are <paramref name="gateways"/>.</summary>
    public static async Task<IHost> StartClientHostAsync(params System.Net.IPEndPoint[] gateways)
    {
        var host = new HostBuilder()
            .UseOrleansClient(client => client
                .UseStaticClustering(gateways)
                .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ZkDefaults.ClusterId, ZkDefaults.ServiceId)))
            .Build();
        await host.StartAsync();
        return host;
    }

    public async Task DisposeAsync()
    {
        await _clientHost.StopAsync();
        _clientHost.Dispose();
        foreach (var silo in _restarted.Values) await Cluster.StopSiloAsync(silo);
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        Running.TryRemove(DataDir, out _);
        if (Directory.Exists(DataDir)) Directory.Delete(DataDir, recursive: true);
    }

    /// <summary>Silos a test restarted: the test cluster does not track them, so the fixture stops them.</summary>
    private readonly ConcurrentDictionary<long, SiloHandle> _restarted = new();

    /// <summary>The silo hosting replica <paramref name="id"/>.</summary>
    public SiloHandle SiloOf(long id) =>
        _restarted.TryGetValue(id, out var restarted) ? restarted
        : Cluster.Silos.SingleOrDefault(s => s.Name == $"Secondary_{id}")
            ?? throw new InvalidOperationException($"no running silo Secondary_{id} among {string.Join(", ", Cluster.Silos.Select(s => s.Name))}");

    /// <summary>Stops the silo of replica <paramref name="id"/> (gracefully: its replica deactivates and releases its data directory).</summary>
    public async Task StopReplicaAsync(long id)
    {
        var silo = SiloOf(id);
        _restarted.TryRemove(id, out _);
        _down[id] = true;
        await Cluster.StopSiloAsync(silo);
    }

    /// <summary>Starts replica <paramref name="id"/>'s silo again (same name, same settings, same data directory).</summary>
    public async Task StartReplicaAsync(long id)
    {
        _restarted[id] = await Cluster.StartSiloAsync((int)id, Cluster.Options);
        _down.TryRemove(id, out _);
    }

    /// <summary>Replicas whose silo the test stopped (and has not started again).</summary>
    private readonly ConcurrentDictionary<long, bool> _down = new();

    /// <summary>A client of the ensemble with its own session, over the test cluster's Orleans client.</summary>
    public ZkClient NewClient(int sessionTimeoutMs = 10_000) =>
        new(Client, new ZkClientOptions { SessionTimeoutMs = sessionTimeoutMs, RequestTimeout = TimeSpan.FromSeconds(20) });

    public IZkReplicaGrain Replica(long id) => GrainFactory.GetGrain<IZkReplicaGrain>(id);

    /// <summary>Every replica's status, as the service reports it.</summary>
    public Task<IReadOnlyList<ReplicaStatus>> Statuses() => GrainFactory.GetGrain<IZkServiceGrain>(0).GetEnsembleStatus();

    /// <summary>Waits until one replica serves as leader and every other replica whose silo runs (or <paramref name="expectedFollowers"/>) follows it in sync; returns the leader's status.</summary>
    public async Task<ReplicaStatus> SettledLeaderAsync(IReadOnlyCollection<long>? expectedFollowers = null, TimeSpan? within = null)
    {
        var statuses = await Eventually.Until(Statuses, s =>
        {
            var leaders = s.Where(r => r.Reachable && r.Role == "Leading" && r.Serving).ToList();
            if (leaders.Count != 1) return false;
            var leader = leaders[0];
            // By default every replica whose silo runs: one just started must have rejoined.
            var want = expectedFollowers ?? Ids.Where(id => id != leader.ReplicaId && !_down.ContainsKey(id)).ToList();
            return want.All(f => leader.FollowersInSync.Contains(f)
                && s.Single(r => r.ReplicaId == f) is { Role: "Following", Phase: "Broadcast" } follower
                && follower.LeaderId == leader.ReplicaId && follower.Epoch == leader.Epoch);
        }, within ?? TimeSpan.FromSeconds(30), "a serving leader with its followers in sync", Describe);
        return statuses.Single(r => r.Role == "Leading" && r.Serving);
    }

    private static string Describe(IReadOnlyList<ReplicaStatus> statuses) => string.Join("; ", statuses.Select(s =>
        $"{s.ReplicaId} {s.Role} {s.Phase} leader {s.LeaderId} e{s.Epoch} serving {s.Serving} sync[{string.Join(",", s.FollowersInSync)}] {s.Detail}"));

    /// <summary>Waits until the given replicas have applied the same zxid, then checks their tree digests are equal; returns it.</summary>
    public async Task<TreeDigest> SameTreeAsync(IEnumerable<long> ids, long atLeast = 0)
    {
        var replicas = ids.ToList();
        var digests = await Eventually.Until(
            async () => await Task.WhenAll(replicas.Select(id => Replica(id).GetTreeDigest())),
            d => d.Select(x => x.Zxid).Distinct().Count() == 1 && d[0].Zxid >= atLeast,
            TimeSpan.FromSeconds(30), "every replica at the same zxid");
        Assert.All(digests, d => Assert.Equal(digests[0].Digest, d.Digest));
        Assert.All(digests, d => Assert.Equal(digests[0].Nodes, d.Nodes));
        return digests[0];
    }

    public sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var fixture = Running[silo.Configuration["EnsembleDataDir"]!];
            var name = silo.Configuration["Orleans:Name"] ?? "";
            var replica = name.StartsWith("Secondary_", StringComparison.Ordinal) ? long.Parse(name["Secondary_".Length..]) : 0;
            silo.Services.AddSingleton<IReplicaLinks>(fixture.Links);
            if (FileLog.Path is { } log) silo.Services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(new FileLog(log, name));
            silo.AddOrleansZk(o =>
            {
                o.DataDir = fixture.DataDir;
                o.ReplicaId = replica;
                o.Ensemble = string.Join(',', fixture.Ids);
                o.Partitions = 8;
                o.ForceSync = true;
                o.TickTimeMs = 250;
                o.MaxSessionTimeoutMs = 60_000;
                o.ZabTickMs = 20;
                o.SyncLimitMs = 1_000;
                o.InitLimitMs = 10_000;
                o.SnapCount = 500;
            });
        }
    }
}

public sealed class ThreeReplicaCluster() : EnsembleCluster(3);

public sealed class FiveReplicaCluster() : EnsembleCluster(5);

[CollectionDefinition(Name)]
public sealed class ThreeReplicaCollection : ICollectionFixture<ThreeReplicaCluster>
{
    public const string Name = "three replicas";
}

[CollectionDefinition(Name)]
public sealed class FiveReplicaCollection : ICollectionFixture<FiveReplicaCluster>
{
    public const string Name = "five replicas";
}
