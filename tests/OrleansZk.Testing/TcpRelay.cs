using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OrleansZk.Testing;

/// <summary>
/// A TCP relay on a free 127.0.0.1 port in front of a target's servers (ZooKeeper ports, Orleans
/// gateways), so that a test can cut a client's connection, keep the client away from every
/// server, or send its next connection to another server — without touching the client or the
/// server. Each accepted connection is joined to a new connection to the current upstream server
/// and bytes are copied both ways until either side ends; then both are closed.
/// </summary>
/// <remarks>Thread-safe. Invariant: while held, no connection is relayed (one accepted meanwhile is closed at once).</remarks>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IReadOnlyList<IPEndPoint> _upstreams;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly HashSet<Socket> _open = [];
    private readonly Task _accepting;
    private int _upstream;
    private bool _held;
    private int _relayed;

    /// <summary>How many connections have been joined to a server so far.</summary>
    public int Relayed => Volatile.Read(ref _relayed);

    private TcpRelay(IReadOnlyList<string> servers)
    {
        _upstreams = [.. servers.Select(Parse)];
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Address = "127.0.0.1:" + ((IPEndPoint)_listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
        _accepting = AcceptLoopAsync();
    }

    /// <summary>Starts relaying to <paramref name="servers"/>[0] ("host:port" each).</summary>
    public static TcpRelay Start(IReadOnlyList<string> servers) =>
        servers.Count == 0 ? throw new ArgumentException("at least one server", nameof(servers)) : new TcpRelay(servers);

    /// <summary>The relay's own "127.0.0.1:port", the connect string clients are given.</summary>
    public string Address { get; }

    /// <summary>Closes every relayed connection (both sides); new connections are relayed as before.</summary>
    public void Cut()
    {
        lock (_lock) CloseOpen();
    }

    /// <summary>Closes every relayed connection and refuses to relay any until <see cref="Release"/>.</summary>
    public void Hold()
    {
        lock (_lock)
        {
            _held = true;
            CloseOpen();
        }
    }

    /// <summary>Relays new connections again.</summary>
    public void Release()
    {
        lock (_lock) _held = false;
    }

    /// <summary>Closes every relayed connection and relays new ones to the next server (the same one when there is only one).</summary>
    public void SwitchServer()
    {
        lock (_lock)
        {
            _upstream = (_upstream + 1) % _upstreams.Count;
            CloseOpen();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_lock) CloseOpen();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The listener was stopped under the accept.
        }
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stop.Token);
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        IPEndPoint upstream;
        lock (_lock)
        {
            if (_held)
            {
                client.Dispose();
                return;
            }
            upstream = _upstreams[_upstream];
            _open.Add(client);
        }
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await server.ConnectAsync(upstream, _stop.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            // The server is down: the client sees its connection end, as it would.
            Close(client, server);
            return;
        }
        lock (_lock)
        {
            // Cut, held or switched while connecting: the client was already closed.
            if (!_open.Contains(client))
            {
                server.Dispose();
                return;
            }
            _open.Add(server);
        }
        Interlocked.Increment(ref _relayed);
        var up = CopyAsync(client, server);
        var down = CopyAsync(server, client);
        // An orderly end of one direction is passed on (a four-letter word's answer ends so) and
        // the other direction runs on; a broken one ends both at once.
        if (await await Task.WhenAny(up, down)) await Task.WhenAll(up, down);
        Close(client, server);
    }

    /// <summary>Copies until <paramref name="from"/> ends (then shuts down sending on <paramref name="to"/> and returns true) or either breaks (false).</summary>
    private async Task<bool> CopyAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (n == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return true;
                }
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Either side broke, or was closed by a cut.
            return false;
        }
    }

    private void Close(Socket client, Socket server)
    {
        lock (_lock)
        {
            _open.Remove(client);
            _open.Remove(server);
        }
        client.Dispose();
        server.Dispose();
    }

    /// <summary>Caller holds the lock. Disposing a socket ends the copies blocked on it.</summary>
    private void CloseOpen()
    {
        foreach (var socket in _open) socket.Dispose();
        _open.Clear();
    }

    private static IPEndPoint Parse(string server)
    {
        var colon = server.LastIndexOf(':');
        return new IPEndPoint(IPAddress.Parse(server[..colon]), int.Parse(server[(colon + 1)..], CultureInfo.InvariantCulture));
    }
}
