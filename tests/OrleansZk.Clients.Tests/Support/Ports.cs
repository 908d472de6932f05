using System.Net;
using System.Net.Sockets;

namespace OrleansZk.Clients.Tests.Support;

/// <summary>Loopback ports: finding a free one, and waiting for a server to let one go.</summary>
public static class Ports
{
    /// <summary>Between two looks at a port.</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// A port on 127.0.0.1 that nothing listens on now: one the system hands out for port 0, which
    /// is then checked to refuse connections (a socket bound with SO_REUSEPORT elsewhere must not share it).
    /// </summary>
    public static int Free()
    {
        while (true)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (!Accepts(port)) return port;
        }
    }

    /// <summary>Returns once nothing accepts connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static async Task WaitUntilRefusingAsync(int port, CancellationToken ct)
    {
        while (Accepts(port)) await Task.Delay(Interval, ct);
    }

    private static bool Accepts(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
