using System.Net;
using System.Net.Sockets;
using OrleansZk.Core;
using OrleansZk.Database;

namespace OrleansZk.Client;

/// <summary>
/// Where a client finds the service: either a list of gateways, <c>host:port[,host:port...]</c>
/// (the port defaults to <see cref="ZkDefaults.GatewayPort"/>; any of them may be down, the client
/// uses those that answer), or the cluster's database, from whose membership table the client
/// reads the gateways of the silos that are up: <c>Microsoft.Data.Sqlite:&lt;file or connection
/// string&gt;</c> or <c>Npgsql:&lt;connection string&gt;</c>.
/// </summary>
public sealed class ZkConnectString
{
    private readonly string _text;

    private ZkConnectString(string text, IReadOnlyList<(string Host, int Port)> gateways, ZkDatabase? database)
    {
        _text = text;
        Gateways = gateways;
        Database = database;
    }

    /// <summary>The gateways listed (empty when <see cref="Database"/> is set), host names unresolved.</summary>
    public IReadOnlyList<(string Host, int Port)> Gateways { get; }

    /// <summary>The database whose membership table lists the gateways, or null for a gateway list.</summary>
    public ZkDatabase? Database { get; }

    /// <summary>Parses a connect string (see the class summary).</summary>
    /// <exception cref="BadArgumentsException">It is empty, a gateway is not host:port, or the database part does not parse.</exception>
    public static ZkConnectString Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new BadArgumentsException(null, "empty connect string");
        var trimmed = text.Trim();
        foreach (var invariant in ZkDatabase.Invariants)
        {
            if (trimmed.Length > invariant.Length + 1 && trimmed.StartsWith(invariant + ":", StringComparison.OrdinalIgnoreCase))
            {
                var rest = trimmed[(invariant.Length + 1)..];
                if (rest.All(char.IsAsciiDigit)) break; // a host named like a driver, with a port
                try
                {
                    return new ZkConnectString(trimmed, [], ZkDatabase.Create(invariant, rest));
                }
                catch (ArgumentException e)
                {
                    throw new BadArgumentsException(null, $"{invariant} connect string: {e.Message}");
                }
            }
        }
        var gateways = new List<(string, int)>();
        foreach (var entry in trimmed.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            gateways.Add(ParseGateway(entry));
        if (gateways.Count == 0) throw new BadArgumentsException(null, "empty connect string");
        return new ZkConnectString(trimmed, gateways, null);
    }

    /// <summary>The connect string with any password masked, for prompts and messages.</summary>
    public override string ToString() => Database is null ? _text : $"{Database.Invariant}:{ZkDatabase.Mask(Database.ConnectionString)}";

    /// <summary>The gateways as endpoints; host names are resolved, IPv4 first.</summary>
    /// <exception cref="ConnectionLossException">A host name does not resolve.</exception>
    public async Task<IPEndPoint[]> ResolveGatewaysAsync(CancellationToken ct)
    {
        var endpoints = new IPEndPoint[Gateways.Count];
        for (var i = 0; i < endpoints.Length; i++)
        {
            var (host, port) = Gateways[i];
            if (IPAddress.TryParse(host, out var literal))
            {
                endpoints[i] = new IPEndPoint(literal, port);
                continue;
            }
            try
            {
                var addresses = await Dns.GetHostAddressesAsync(host, ct).ConfigureAwait(false);
                var address = addresses.OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).FirstOrDefault()
                    ?? throw new ConnectionLossException(null, $"host \"{host}\" has no address");
                endpoints[i] = new IPEndPoint(address, port);
            }
            catch (SocketException e)
            {
                throw new ConnectionLossException(null, $"cannot resolve \"{host}\": {e.Message}");
            }
        }
        return endpoints;
    }

    private static (string Host, int Port) ParseGateway(string entry)
    {
        if (IPEndPoint.TryParse(entry, out var literal))
            return (literal.Address.ToString(), literal.Port == 0 ? ZkDefaults.GatewayPort : literal.Port);
        var colon = entry.LastIndexOf(':');
        var host = colon < 0 ? entry : entry[..colon];
        var port = ZkDefaults.GatewayPort;
        if (colon >= 0 && (!int.TryParse(entry[(colon + 1)..], out port) || port is < 1 or > 65535))
            throw new BadArgumentsException(null, $"\"{entry}\" is not host:port");
        if (host.Length == 0) throw new BadArgumentsException(null, $"\"{entry}\" is not host:port");
        return (host, port);
    }
}
