using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using OrleansZk.Core;
using OrleansZk.Database;

namespace OrleansZk.Client;

public sealed partial class ZkClient
{
    /// <summary>
    /// Starts an Orleans client of its own to the service <paramref name="connectString"/> names
    /// (<see cref="ZkConnectString"/>: gateways "127.0.0.1:30000" or "h1:p1,h2:p2", any of which may
    /// be down; or the cluster's database, "Npgsql:Host=db1;Database=zk;Username=zk;Password=..." or
    /// "Microsoft.Data.Sqlite:/var/lib/orleanszk/data/orleanszk.db"), opens the session — a new one, or
    /// <see cref="ZkClientOptions.SessionId"/> resumed — and returns the connected client.
    /// <see cref="CloseAsync"/> and <see cref="DisposeAsync"/> also stop that Orleans client. Its
    /// logging goes to the console, warnings and errors only. It hears from Orleans when a gateway
    /// connection drops, and fails its outstanding calls at once.
    /// </summary>
    /// <exception cref="BadArgumentsException">A malformed connect string.</exception>
    /// <exception cref="ConnectionLossException">No gateway could be reached, or no session opened in time.</exception>
    /// <exception cref="SessionExpiredException">The session to resume is gone or its password does not match.</exception>
    public static async Task<ZkClient> ConnectAsync(string connectString, ZkClientOptions? options = null, CancellationToken ct = default)
    {
        options ??= new ZkClientOptions();
        var target = ZkConnectString.Parse(connectString);
        var host = await BuildHostAsync(target, options, ct).ConfigureAwait(false);
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
                throw new ConnectionLossException(null, $"no gateway of \"{target}\" answered within {options.RequestTimeout.TotalMilliseconds:0} ms");
            if (ZkFailures.Translate(e) is var translated && translated != e) throw translated;
            if (e is System.Data.Common.DbException && target.Database is { } database)
                throw new ConnectionLossException(null, $"cannot read the gateways from {database.Describe()}: {e.Message}");
            throw;
        }
    }

    private static async Task<IHost> BuildHostAsync(ZkConnectString target, ZkClientOptions options, CancellationToken ct)
    {
        // Host names are looked up (asynchronously) before the builder runs.
        var gateways = target.Database is null ? await target.ResolveGatewaysAsync(ct).ConfigureAwait(false) : null;
        return new HostBuilder()
            .UseOrleansClient(client =>
            {
                if (gateways is not null) client.UseClusterGatewayList(gateways);
                ConfigureClient(client, target, options);
            })
            // Only trouble, and only on standard error: standard output belongs to the application
            // (the shell prints its answers there).
            .ConfigureLogging(logging => logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning))
            // Not the console lifetime HostBuilder would add: it takes SIGTERM and Ctrl+C for itself
            // (stopping only this inner host), so the application's process would not end.
            .ConfigureServices(services => services.AddSingleton<IHostLifetime, InnerHostLifetime>())
            .Build();
    }

    /// <summary>The lifetime of the SDK's own Orleans client host: it leaves the process's signals to the application.</summary>
    private sealed class InnerHostLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>
    /// What every Orleans client of the SDK's own has: the database's gateway list when the connect
    /// string names one (a gateway list is the caller's to add), the cluster and service ids, the
    /// gateway-connection observer.
    /// </summary>
    internal static void ConfigureClient(IClientBuilder client, ZkConnectString target, ZkClientOptions options)
    {
        if (target.Database is { } database) client.UseZkDatabaseClustering(database, DatabaseGatewayRefresh);
        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.ClusterId;
            o.ServiceId = options.ServiceId;
        });
        // Gateway connections that drop fail the ZkClient's outstanding calls at once.
        client.AddClusterConnectionStatusObserver<ZkConnectionMonitor>();
    }

    /// <summary>How often a client reading its gateways from the database re-reads them: silos restarted on other ports are found this soon.</summary>
    internal static readonly TimeSpan DatabaseGatewayRefresh = TimeSpan.FromSeconds(5);

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
    internal static Task<IPEndPoint[]> ParseConnectStringAsync(string connectString, CancellationToken ct) =>
        ZkConnectString.Parse(connectString).ResolveGatewaysAsync(ct);
}
