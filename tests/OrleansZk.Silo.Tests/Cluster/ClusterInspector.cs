using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;

namespace OrleansZk.Silo.Tests.Cluster;

/// <summary>One grain activation: its grain type name, its key, and the silo port it lives on.</summary>
public sealed record Activation(string GrainType, string Key, int SiloPort);

/// <summary>
/// An Orleans client of the test's own (not a ZkClient) that asks the cluster's management grain
/// where grains are activated: which silo holds which partition.
/// </summary>
public sealed class ClusterInspector : IAsyncDisposable
{
    private readonly IHost _host;

    private ClusterInspector(IHost host) => _host = host;

    public static async Task<ClusterInspector> ConnectAsync(params Member[] gateways)
    {
        var endpoints = gateways.Select(g => new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, g.Ready.GatewayPort)).ToArray();
        var host = new HostBuilder()
            .UseOrleansClient(client => client
                .UseStaticClustering(endpoints)
                .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ZkDefaults.ClusterId, ZkDefaults.ServiceId)))
            .Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await host.StartAsync(timeout.Token);
        return new ClusterInspector(host);
    }

    /// <summary>The grains, for calls a test makes straight to them.</summary>
    public IGrainFactory Grains => _host.Services.GetRequiredService<IClusterClient>();

    /// <summary>The activations whose grain type name contains <paramref name="typeName"/> (e.g. "ZkPartitionGrain", "PubSubRendezvousGrain").</summary>
    public async Task<IReadOnlyList<Activation>> ActivationsAsync(string typeName)
    {
        var management = _host.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);
        var statistics = await management.GetDetailedGrainStatistics();
        return statistics
            .Where(s => s.GrainType.Contains(typeName, StringComparison.Ordinal))
            .Select(s => new Activation(s.GrainType, s.GrainId.Key.ToString()!, s.SiloAddress.Endpoint.Port))
            .ToList();
    }

    /// <summary>A read sent straight to a partition grain (no ZkClient in between).</summary>
    public Task<ReadReply> ReadAsync(string path, long sessionId, long minZxid) =>
        _host.Services.GetRequiredService<IClusterClient>()
            .GetGrain<IZkPartitionGrain>(Core.PathHash.PartitionOf(path, 64))
            .Read(new ReadCall(ReadKind.GetData, path, sessionId, 0, minZxid));

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _host.StopAsync(timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // Stopping a client whose silos are gone.
        }
        _host.Dispose();
    }
}
