using System.Collections.Immutable;
using Orleans;

namespace OrleansZk.Client;

/// <summary>
/// Relays the Orleans client's gateway notifications to the <see cref="ZkClient"/>s over it, so they
/// learn of a dropped gateway connection at once instead of at their next ping. One per Orleans
/// client (a singleton in its container, registered by <see cref="ZkClient.ConnectAsync(string, ZkClientOptions?, CancellationToken)"/>
/// and <see cref="ZkClientServiceCollectionExtensions.AddOrleansZkClient(Microsoft.Extensions.DependencyInjection.IServiceCollection, Action{ZkClientOptions})"/>); a ZkClient finds it
/// through <see cref="IClusterClient.ServiceProvider"/>.
/// </summary>
/// <remarks>
/// Orleans calls it on its connection threads, synchronously: the clients' handlers only take their
/// lock briefly and schedule the rest.
/// </remarks>
internal sealed class ZkConnectionMonitor : IClusterConnectionStatusObserver
{
    private ImmutableArray<ZkClient> _clients = [];

    public void Add(ZkClient client) => ImmutableInterlocked.Update(ref _clients, list => list.Add(client));

    public void Remove(ZkClient client) => ImmutableInterlocked.Update(ref _clients, list => list.Remove(client));

    /// <summary>
    /// Any gateway connection that closes takes the calls routed through it with it (Orleans fails
    /// them only at its response timeout), and which calls those were is unknown, so every client
    /// treats it as a lost connection. A new connection prompts a probe.
    /// </summary>
    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        var clients = _clients;
        if (currentNumberOfGateways < previousNumberOfGateways)
        {
            var reason = currentNumberOfGateways == 0
                ? "connection to the service lost (no gateway connected)"
                : $"a gateway connection closed ({currentNumberOfGateways} left)";
            foreach (var client in clients) client.OnConnectionLost(reason, probeNow: true);
        }
        else if (currentNumberOfGateways > previousNumberOfGateways)
        {
            foreach (var client in clients) client.OnGatewayConnected();
        }
    }

    /// <summary>Reported together with the gateway count's fall to zero, which is handled there.</summary>
    public void NotifyClusterConnectionLost()
    {
    }
}
