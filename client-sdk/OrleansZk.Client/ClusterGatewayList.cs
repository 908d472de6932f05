using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Messaging;

namespace OrleansZk.Client;

/// <summary>
/// The gateways of a connect string's list, less those the cluster no longer has active. A silo
/// that is frozen (SIGSTOP, a paused VM) keeps its connections open, so Orleans goes on sending
/// through it and every call bucketed to it waits for as long as it stays frozen; the cluster
/// declares it dead within seconds, and this list then leaves it out: Orleans closes its connection
/// and sends those calls through the others. Every refresh asks one silo (through a service grain
/// of the next of a few keys, so that a query stuck on a frozen gateway does not hold back the next)
/// which gateways are active, and answers with what the previous query learnt. A listed gateway is
/// left out only when the answer names some listed gateway (so addresses compare) but not it.
/// </summary>
internal sealed class ClusterGatewayList(IReadOnlyList<IPEndPoint> listed, IServiceProvider services) : IGatewayListProvider
{
    /// <summary>How often Orleans asks for the list (and this list asks the cluster).</summary>
    public static readonly TimeSpan RefreshPeriod = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(1);
    private const int QueryKeys = 7;

    private readonly IList<Uri> _all = listed.Select(ToUri).ToList();
    private volatile IList<Uri> _current = listed.Select(ToUri).ToList();
    private int _queries;
    private int _querying;

    public TimeSpan MaxStaleness => RefreshPeriod;

    public bool IsUpdatable => true;

    public Task InitializeGatewayListProvider() => Task.CompletedTask;

    public Task<IList<Uri>> GetGateways()
    {
        if (Interlocked.Exchange(ref _querying, 1) == 0) _ = QueryAsync();
        return Task.FromResult(_current);
    }

    private async Task QueryAsync()
    {
        try
        {
            // Before the client has connected there is no one to ask: the whole list stands.
            var client = services.GetService<IClusterClient>();
            if (client is null) return;
            var key = (uint)Interlocked.Increment(ref _queries) % QueryKeys;
            var active = await client.GetGrain<IZkServiceGrain>(key).GetActiveGateways().WaitAsync(QueryTimeout).ConfigureAwait(false);
            _current = Select(listed, active).Select(ToUri).ToList() is { Count: > 0 } kept ? kept : _all;
        }
        catch (Exception)
        {
            // Not connected yet, or the silo asked did not answer: keep the list as it was.
        }
        finally
        {
            Volatile.Write(ref _querying, 0);
        }
    }

    /// <summary>The listed gateways among <paramref name="active"/>; all of them when none is (addresses that do not compare, e.g. behind NAT).</summary>
    internal static IReadOnlyList<IPEndPoint> Select(IReadOnlyList<IPEndPoint> listed, IReadOnlyList<string> active)
    {
        var set = new HashSet<string>(active, StringComparer.OrdinalIgnoreCase);
        var kept = listed.Where(g => set.Contains(g.ToString())).ToList();
        return kept.Count > 0 ? kept : listed;
    }

    private static Uri ToUri(IPEndPoint endpoint) => new($"gwy.tcp://{endpoint}/0");
}

internal static class ClusterGatewayListExtensions
{
    /// <summary>Clusters the client through <paramref name="gateways"/>, leaving out those the cluster reports inactive (<see cref="ClusterGatewayList"/>).</summary>
    public static IClientBuilder UseClusterGatewayList(this IClientBuilder client, IPEndPoint[] gateways)
    {
        client.Services.AddSingleton<IGatewayListProvider>(sp => new ClusterGatewayList(gateways, sp));
        client.Services.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = ClusterGatewayList.RefreshPeriod);
        return client;
    }
}
