using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Runtime;
using OrleansZk.Core;

namespace OrleansZk.Wire.Server;

/// <summary>
/// The client port of one silo: listens once the silo is active (its grains callable) and stops
/// before the silo does, so connections never outlive the grains they call. Each connection is a
/// <see cref="WireConnection"/>: one session client over this silo's own grain factory.
/// </summary>
public sealed class ZkWireServer(IClusterClient cluster, IOptions<ZkWireOptions> options, IOptions<Grains.ZkServiceOptions> service, ILoggerFactory logs)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly ZkWireOptions _options = options.Value;
    private readonly ILogger _log = logs.CreateLogger("OrleansZk.Wire");
    private readonly ConcurrentDictionary<WireConnection, Task> _connections = new();
    private readonly ConcurrentDictionary<long, WireConnection> _sessions = new();
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _listener;
    private Task _accepting = Task.CompletedTask;

    /// <summary>Where it listens (the port picked when <see cref="ZkWireOptions.Port"/> is 0); null before it starts.</summary>
    public IPEndPoint? LocalEndPoint { get; private set; }

    /// <summary>Every connection's packets and latencies together (srvr, stat, mntr).</summary>
    public WireStats Stats { get; } = new();

    /// <summary>Reads and updates from the frame's arrival to their answer, in µs (mntr's readlatency and updatelatency).</summary>
    internal LatencyHistogram ReadTimes { get; } = new();

    internal LatencyHistogram UpdateTimes { get; } = new();

    /// <summary>The replica's write stages as they stood at the last srst (mntr reports what came after).</summary>
    private volatile IReadOnlyList<StageLatency> _stagesAtReset = [];

    /// <summary>srst: the client port's counts and latencies start again, and the replica's stages are counted from now.</summary>
    internal void ResetStats(IReadOnlyList<StageLatency>? replicaStages)
    {
        Stats.Reset();
        ReadTimes.Reset();
        UpdateTimes.Reset();
        _stagesAtReset = replicaStages ?? [];
    }

    /// <summary>
    /// A replica stage's samples since the last srst; its maximum then is the top of the highest
    /// bucket those samples reached (their 100th percentile, at most 25% high), or the exact maximum
    /// when that lies in it.
    /// </summary>
    internal StageLatency SinceReset(StageLatency stage)
    {
        var since = stage.Since(_stagesAtReset.FirstOrDefault(s => s.Name == stage.Name));
        return ReferenceEquals(since, stage) ? stage : since with { MaxUs = Math.Min(stage.MaxUs, LatencyHistogram.Quantile(since.Buckets, 1.0)) };
    }

    internal IClusterClient Cluster => cluster;

    internal ZkWireOptions Options => _options;

    internal Grains.ZkServiceOptions Service => service.Value;

    internal IReadOnlyCollection<WireConnection> Connections => [.. _connections.Keys];

    /// <summary>When the silo's grains can be called, and until just before they cannot.</summary>
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ZkWireServer), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    /// <summary>Starts listening; a port that cannot be bound fails the silo's start.</summary>
    public Task StartAsync(CancellationToken ct)
    {
        var address = IPAddress.Parse(_options.Address);
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(address, _options.Port));
            listener.Listen(512);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new InvalidOperationException($"OrleansZk:ClientPort: cannot listen on {address}:{_options.Port} ({e.Message})", e);
        }
        _listener = listener;
        LocalEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _accepting = AcceptLoopAsync(listener);
        return Task.CompletedTask;
    }

    /// <summary>Stops listening and closes every connection; their sessions live on (their clients reconnect elsewhere).</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        _stopping.Cancel();
        _listener?.Dispose();
        foreach (var connection in _connections.Keys) connection.Abort();
        try
        {
            await Task.WhenAll([_accepting, .. _connections.Values]).WaitAsync(TimeSpan.FromSeconds(10), ct);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            // Stopping anyway.
        }
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested) return;
                continue;
            }
            socket.NoDelay = true;
            var connection = new WireConnection(socket, this, _options, _log);
            _connections[connection] = Task.Run(async () =>
            {
                await connection.RunAsync(_stopping.Token);
                _connections.TryRemove(connection, out _);
            });
        }
    }

    /// <summary>A connection now carries its session.</summary>
    internal void Register(WireConnection connection) => _sessions[connection.SessionId] = connection;

    internal void Unregister(WireConnection connection)
    {
        var sessionId = connection.SessionId;
        if (sessionId != 0) _sessions.TryRemove(new KeyValuePair<long, WireConnection>(sessionId, connection));
    }

    /// <summary>A client resumes its session on <paramref name="resuming"/>: its older connection here closes (as ZooKeeper closes it on reconnect).</summary>
    internal void CloseOtherConnections(long sessionId, WireConnection resuming)
    {
        if (_sessions.TryGetValue(sessionId, out var older) && older != resuming) older.Abort();
    }

    /// <summary>The zxid the service has applied (its leader's), or null when there is no leader to ask.</summary>
    internal async Task<long?> ServedZxidAsync(CancellationToken ct)
    {
        try
        {
            var leader = await cluster.GetGrain<IZkServiceGrain>(0).FindLeader(false).WaitAsync(_options.RequestTimeout, ct);
            if (leader.LeaderId is not { } id) return null;
            var status = await cluster.GetGrain<IZkReplicaGrain>(id).GetStatus().WaitAsync(_options.RequestTimeout, ct);
            return status.AppliedZxid;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            _log.LogInformation("Client port: cannot learn the service's zxid: {Problem}", e.Message);
            return null;
        }
    }
}
