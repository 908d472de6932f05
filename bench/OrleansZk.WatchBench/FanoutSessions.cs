using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.WatchBench;

/// <summary>
/// Many watching sessions for the fan-out benchmark: <see cref="ZkClient"/>s made with
/// <c>new ZkClient(cluster, options)</c> over one Orleans client (one gateway connection), each
/// with its own session and watcher delegate. Calls come from one thread, in this order:
/// <see cref="OpenAsync"/>, then any number of (<see cref="ArmAsync"/> or nothing,
/// <see cref="Reset"/>, the change, <see cref="Round.WaitAsync"/>), then <see cref="DisposeAsync"/>.
/// </summary>
internal sealed class FanoutSessions : IAsyncDisposable
{
    /// <summary>Session opens, watch requests and closes in flight at once.</summary>
    private const int Concurrency = 256;

    private readonly IHost _host;
    private readonly ZkClient[] _clients;
    private readonly Action<WatchedEvent>[] _watchers;
    private volatile Round _round;
    private string _path = "";

    private FanoutSessions(IHost host, ZkClient[] clients)
    {
        _host = host;
        _clients = clients;
        _round = new Round(clients.Length, "");
        _watchers = new Action<WatchedEvent>[clients.Length];
        for (var i = 0; i < clients.Length; i++)
        {
            var index = i;
            _watchers[i] = e => _round.Note(index, e);
        }
    }

    /// <summary>How long opening the Orleans client and every session took.</summary>
    public double OpenedInMs { get; private set; }

    /// <summary>Starts one Orleans client to <paramref name="server"/> and opens <paramref name="count"/> sessions over it.</summary>
    public static async Task<FanoutSessions> OpenAsync(string server, int count, int sessionTimeoutMs)
    {
        var start = Stopwatch.GetTimestamp();
        var host = BuildHost(IPEndPoint.Parse(server));
        await host.StartAsync();
        var cluster = host.Services.GetRequiredService<IClusterClient>();
        var clientOptions = new ZkClientOptions { SessionTimeoutMs = sessionTimeoutMs };
        var clients = new ZkClient[count];
        for (var i = 0; i < count; i++) clients[i] = new ZkClient(cluster, clientOptions);
        var sessions = new FanoutSessions(host, clients);
        await ForAllAsync(clients, (c, _) => c.ConnectAsync());
        sessions.OpenedInMs = (Stopwatch.GetTimestamp() - start) * 1000.0 / Stopwatch.Frequency;
        return sessions;
    }

    /// <summary>As ZkClient.ConnectAsync builds its own Orleans client, plus the connection monitor AddOrleansZkClient registers.</summary>
    private static IHost BuildHost(IPEndPoint gateway) =>
        new HostBuilder()
            .UseOrleansClient(client => client
                .UseStaticClustering(gateway)
                .Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = ZkDefaults.ClusterId;
                    o.ServiceId = ZkDefaults.ServiceId;
                }))
            .ConfigureServices(services => services.AddOrleansZkClient())
            .ConfigureLogging(logging => logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning))
            .Build();

    /// <summary>
    /// Sets a watch on <paramref name="path"/> in every session: a one-shot data watch
    /// (GetDataAsync with the session's watcher) or, if <paramref name="persistent"/>, a persistent
    /// one (AddWatchAsync, Persistent). Returns once every call has returned.
    /// </summary>
    public Task ArmAsync(string path, bool persistent)
    {
        _path = path;
        return ForAllAsync(_clients, (c, i) => persistent
            ? c.AddWatchAsync(path, _watchers[i], AddWatchMode.Persistent)
            : c.GetDataAsync(path, _watchers[i]));
    }

    /// <summary>Starts a new round: the events counted from now on.</summary>
    public Round Reset() => _round = new Round(_clients.Length, _path);

    private static async Task ForAllAsync(ZkClient[] clients, Func<ZkClient, int, Task> call)
    {
        using var gate = new SemaphoreSlim(Concurrency);
        var calls = new Task[clients.Length];
        for (var i = 0; i < clients.Length; i++)
        {
            await gate.WaitAsync();
            calls[i] = Release(call(clients[i], i));
        }
        await Task.WhenAll(calls);

        async Task Release(Task task)
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }
    }

    /// <summary>Closes every session (the service drops it at once), then the Orleans client.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await ForAllAsync(_clients, (c, _) => c.DisposeAsync().AsTask());
        }
        finally
        {
            await _host.StopAsync();
            _host.Dispose();
        }
    }

    /// <summary>The events of one repetition: per session the <see cref="Stopwatch"/> timestamp of its first NodeDataChanged on the path.</summary>
    internal sealed class Round(int count, string path)
    {
        private readonly int _count = count;
        private readonly long[] _times = new long[count];
        private readonly long[] _zxids = new long[count];
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _remaining = count;
        private int _duplicates;
        private int _unexpected;
        private string? _firstUnexpected;

        public void Note(int session, WatchedEvent e)
        {
            var now = Stopwatch.GetTimestamp();
            if (e.Type != WatchEventType.NodeDataChanged || e.Path != path)
            {
                if (Interlocked.Increment(ref _unexpected) == 1) _firstUnexpected = $"session {session}: {e}";
                return;
            }
            if (Interlocked.CompareExchange(ref _times[session], now, 0) != 0)
            {
                Interlocked.Increment(ref _duplicates);
                return;
            }
            _zxids[session] = e.Zxid;
            if (Interlocked.Decrement(ref _remaining) == 0) _all.TrySetResult();
        }

        /// <summary>Waits until every session has had its event; returns their timestamps.</summary>
        /// <param name="change">The setData whose event this round expects: every event must carry its mzxid.</param>
        /// <param name="timeout">How long to wait for the events (and then for the setData's reply).</param>
        /// <exception cref="InvalidOperationException">Not all within <paramref name="timeout"/>, unexpected or duplicate events, or events of another zxid.</exception>
        public async Task<long[]> WaitAsync(Task<Stat> change, TimeSpan timeout)
        {
            try
            {
                await _all.Task.WaitAsync(timeout);
            }
            catch (TimeoutException)
            {
                throw new InvalidOperationException($"sessions that received the event within {timeout.TotalSeconds:0} s: {_count - Volatile.Read(ref _remaining)} of {_count}");
            }
            if (Volatile.Read(ref _unexpected) > 0 || Volatile.Read(ref _duplicates) > 0)
                throw new InvalidOperationException($"{_unexpected} unexpected events (the first: {_firstUnexpected}), {_duplicates} duplicate NodeDataChanged");
            var zxid = (await change.WaitAsync(timeout)).Mzxid;
            var others = _zxids.Count(z => z != zxid);
            if (others > 0)
                throw new InvalidOperationException($"{others} of {_count} events carry another zxid than the setData's 0x{zxid:x} (e.g. 0x{_zxids.First(z => z != zxid):x})");
            return (long[])_times.Clone();
        }
    }
}
