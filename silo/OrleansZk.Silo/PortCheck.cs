using System.Net;
using System.Net.Sockets;
using OrleansZk.Grains;

namespace OrleansZk.Silo;

/// <summary>Whether the silo's ports are free on the loopback address it listens on.</summary>
internal static class PortCheck
{
    /// <summary>One message per taken port, naming its key; empty when both are free.</summary>
    public static IReadOnlyList<string> InUse(ZkServiceOptions options)
    {
        var problems = new List<string>();
        foreach (var (key, port) in new[] { (nameof(options.SiloPort), options.SiloPort), (nameof(options.GatewayPort), options.GatewayPort) })
        {
            // A plain bind (no SO_REUSEPORT) fails while any other socket listens there.
            var listener = new TcpListener(IPAddress.Loopback, port);
            try
            {
                listener.Start();
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
            {
                problems.Add($"{ZkServiceOptions.SectionName}:{key}: 127.0.0.1:{port} is already in use ({e.Message})");
            }
            finally
            {
                listener.Stop();
            }
        }
        return problems;
    }
}
