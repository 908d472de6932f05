using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using OrleansZk.Core;

namespace OrleansZk.Client;

public sealed partial class ZkClient
{
    /// <summary>
    /// Starts an Orleans client of its own to the gateways in <paramref name="connectString"/>
    /// ("127.0.0.1:30000" or "h1:p1,h2:p2"; the port defaults to <see cref="ZkDefaults.GatewayPort"/>),
    /// opens the session — a new one, or <see cref="ZkClientOptions.SessionId"/> resumed — and
    /// returns the connected client. <see cref="CloseAsync"/> and <see cref="DisposeAsync"/> also
    /// stop that Orleans client. Its logging goes to the console, warnings and errors only. It
    /// hears from Orleans when a gateway connection drops, and fails its outstanding calls at once.
    /// </summary>
    /// <exception cref="BadArgumentsException">A malformed connect string.</exception>
    /// <exception cref="ConnectionLossException">No gateway could be reached, or no session opened in time.</exception>
    /// <exception cref="SessionExpiredException">The session to resume is gone or its password does not match.</exception>
    public static async Task<ZkClient> ConnectAsync(string connectString, ZkClientOptions? options = null, CancellationToken ct = default)
    {
        options ??= new ZkClientOptions();
        var endpoints = await ParseConnectStringAsync(connectString, ct).ConfigureAwait(false);
        var host = BuildHost(endpoints);
        // Orleans retries an unreachable gateway for minutes; the start gets one request timeout.
        using var startTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        startTimeout.CancelAfter(options.RequestTimeout);
        try
        {
            await host.StartAsync(startTimeout.Token).ConfigureAwait(false);
            var client = new ZkClient(host.Services.GetRequiredService<IClusterClient>(), options, host);
            await client.ConnectAsync(ct).ConfigureAwait(false);
            // Its Connected event is raised before anyone can subscribe: subscribers see the changes after it.
            await client.WhenStateEventsRaised().ConfigureAwait(false);
            return client;
        }
        catch (Exception e)
        {
            await StopOwnedHostAsync(host).ConfigureAwait(false);
            if (e is OperationCanceledException && !ct.IsCancellationRequested)
                throw new ConnectionLossException(null, $"no gateway of \"{connectString}\" answered within {options.RequestTimeout.TotalMilliseconds:0} ms");
            if (ZkFailures.Translate(e) is var translated && translated != e) throw translated;
            throw;
        }
    }

    private static IHost BuildHost(IPEndPoint[] gateways) =>
        new HostBuilder()
            .UseOrleansClient(client => client
                .UseStaticClustering(gateways)
                .Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = ZkDefaults.ClusterId;
                    o.ServiceId = ZkDefaults.ServiceId;
                })
                // Gateway connections that drop fail the ZkClient's outstanding calls at once.
                .AddClusterConnectionStatusObserver<ZkConnectionMonitor>()
                // The sessions' watch event streams.
                .AddOrleansZkStreams())
            // Only trouble, and only on standard error: standard output belongs to the application
            // (the shell prints its answers there).
            .ConfigureLogging(logging => logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning))
            .Build();

    private static async Task StopOwnedHostAsync(IHost host)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await host.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // A client that never connected, or is already stopping: nothing left to stop.
        }
        finally
        {
            host.Dispose();
        }
    }

    /// <summary>"h1:p1,h2:p2" into endpoints; host names are resolved, IPv4 first.</summary>
    internal static async Task<IPEndPoint[]> ParseConnectStringAsync(string connectString, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(connectString)) throw new BadArgumentsException(null, "empty connect string");
        var endpoints = new List<IPEndPoint>();
        foreach (var entry in connectString.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            endpoints.Add(await ResolveAsync(entry, ct).ConfigureAwait(false));
        return [.. endpoints];
    }

    private static async Task<IPEndPoint> ResolveAsync(string entry, CancellationToken ct)
    {
        if (IPEndPoint.TryParse(entry, out var literal))
            return literal.Port == 0 ? new IPEndPoint(literal.Address, ZkDefaults.GatewayPort) : literal;

        var colon = entry.LastIndexOf(':');
        var hostName = colon < 0 ? entry : entry[..colon];
        var port = ZkDefaults.GatewayPort;
        if (colon >= 0 && (!int.TryParse(entry[(colon + 1)..], out port) || port is < 1 or > 65535))
            throw new BadArgumentsException(null, $"\"{entry}\" is not host:port");
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(hostName, ct).ConfigureAwait(false);
            var address = addresses.OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).FirstOrDefault()
                ?? throw new ConnectionLossException(null, $"host \"{hostName}\" has no address");
            return new IPEndPoint(address, port);
        }
        catch (SocketException e)
        {
            throw new ConnectionLossException(null, $"cannot resolve \"{hostName}\": {e.Message}");
        }
    }
}
