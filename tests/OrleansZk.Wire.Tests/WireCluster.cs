using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.TestingHost;
using OrleansZk.Grains;
using OrleansZk.Wire.Server;

namespace OrleansZk.Wire.Tests;

/// <summary>
/// Two TestingHost silos hosting OrleansZk — the primary holds replica 1, the second only serves
/// partitions and clients (fsync off, 500 ms ticks: sessions of 1 to 30 s) — each with its client
/// port on a free port of 127.0.0.1, every four-letter word but envi enabled. Shared by the tests
/// of a collection.
/// </summary>
public sealed class WireCluster : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "orleanszk-wire-" + Guid.NewGuid().ToString("N"));

    public TestCluster Cluster { get; private set; } = null!;

    /// <summary>The primary silo's client port, "127.0.0.1:port".</summary>
    public string Target { get; private set; } = "";

    public IPEndPoint EndPoint { get; private set; } = null!;

    /// <summary>The second silo's client port (no replica there).</summary>
    public string SecondTarget { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(2);
        builder.Properties["OrleansZk:DataDir"] = _dataDir;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        EndPoint = ClientPortOf(Cluster.Primary!);
        Target = $"127.0.0.1:{EndPoint.Port}";
        SecondTarget = $"127.0.0.1:{ClientPortOf(Cluster.SecondarySilos.Single()).Port}";
    }

    private static IPEndPoint ClientPortOf(SiloHandle silo) =>
        ((InProcessSiloHandle)silo).SiloHost!.Services.GetRequiredService<ZkWireServer>().LocalEndPoint
            ?? throw new InvalidOperationException($"the client port of {silo.Name} did not start");

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory left behind is harmless.
        }
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var dataDir = silo.Configuration["OrleansZk:DataDir"]!;
            var primary = silo.Configuration["Orleans:Name"] == "Primary";
            silo.AddOrleansZk(o =>
            {
                o.ReplicaId = primary ? 1 : 0;
                o.DataDir = dataDir;
                o.ForceSync = false;
                o.TickTimeMs = 500;
                o.MaxSessionTimeoutMs = 30_000;
                o.Partitions = 8;
            });
            silo.AddOrleansZkClientPort(o =>
            {
                o.Port = 0;
                o.FourLetterWords = "ruok,srvr,stat,mntr,conf,cons,wchs,srst";
            });
        }
    }
}

[CollectionDefinition(Name)]
public sealed class WireCollection : ICollectionFixture<WireCluster>
{
    public const string Name = "client port";
}
