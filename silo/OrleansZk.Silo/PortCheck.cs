using System.Net;
using System.Net.Sockets;
using OrleansZk.Grains;

namespace OrleansZk.Silo;

/// <summary>Whether the silo's ports are free on the address it listens on.</summary>
internal static class PortCheck
{
    /// <summary>One message per taken port, naming its key; empty when both are free.</summary>
    public static IReadOnlyList<string> InUse(ZkServiceOptions options)
    {
        var problems = new List<string>();
        var address = IPAddress.Parse(options.Address);
        foreach (var (key, port) in new[] { (nameof(options.SiloPort), options.SiloPort), (nameof(options.GatewayPort), options.GatewayPort) })
        {
            // A plain bind (no SO_REUSEPORT) fails while any other socket listens there.
            var listener = new TcpListener(address, port);
            try
            {
                listener.Start();
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied or SocketError.AddressNotAvailable)
            {
                var reason = e.SocketErrorCode == SocketError.AddressNotAvailable ? "is not an address of this host" : "is already in use";
                problems.Add($"{ZkServiceOptions.SectionName}:{key}: {new IPEndPoint(address, port)} {reason} ({e.Message})");
            }
            finally
            {
                listener.Stop();
            }
        }
        return problems;
    }
}
