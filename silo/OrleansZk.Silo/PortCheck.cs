using System.Net;
using System.Net.Sockets;
using OrleansZk.Grains;

namespace OrleansZk.Silo;

/// <summary>Whether the silo's ports are free on the address it listens on.</summary>
internal static class PortCheck
{
    /// <summary>One message per taken port (silo, gateway, and the client port unless it is off), naming its key; empty when all are free.</summary>
    public static IReadOnlyList<string> InUse(ZkServiceOptions options)
    {
        var problems = new List<string>();
        var address = IPAddress.Parse(options.Address);
        var ports = new List<(string, int)> { (nameof(options.SiloPort), options.SiloPort), (nameof(options.GatewayPort), options.GatewayPort) };
        if (options.ClientPort != 0) ports.Add((nameof(options.ClientPort), options.ClientPort));
        foreach (var (key, port) in ports)
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
