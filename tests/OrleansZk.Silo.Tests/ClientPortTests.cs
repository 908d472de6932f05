using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OrleansZk.Silo.Tests;

/// <summary>The silo process's ZooKeeper client port: served where the ready line says, and checked like the other ports.</summary>
public sealed class ClientPortTests : IDisposable
{
    private readonly SiloRunner _runner = new();

    public void Dispose() => _runner.Dispose();

    private static int OtherFreePort(params int[] taken)
    {
        while (true)
        {
            var (port, _) = SiloRunner.FreePortPair();
            if (!taken.Contains(port)) return port;
        }
    }

    [Fact]
    public async Task The_client_port_is_served_and_named_in_the_ready_line()
    {
        var ports = SiloRunner.FreePortPair();
        var clientPort = OtherFreePort(ports.Silo, ports.Gateway);
        var (_, ready) = await _runner.StartAsync(_runner.NewDirectory("data"), ports,
            $"--OrleansZk:ClientPort={clientPort}", "--OrleansZk:FourLetterWords=ruok,srvr");
        Assert.Contains($", client port 127.0.0.1:{clientPort}, ", ready.Line);
        Assert.Equal("imok", await FourLetterWordAsync(clientPort, "ruok"));
        Assert.Contains("\nMode: standalone\n", await FourLetterWordAsync(clientPort, "srvr"));
        Assert.Equal("stat is not executed because it is not in the whitelist.\n", await FourLetterWordAsync(clientPort, "stat"));
    }

    [Fact]
    public async Task A_taken_client_port_stops_start_up_naming_it()
    {
        var ports = SiloRunner.FreePortPair();
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var taken = ((IPEndPoint)holder.LocalEndpoint).Port;
        var silo = _runner.Launch([$"--OrleansZk:DataDir={_runner.NewDirectory("data")}", $"--OrleansZk:SiloPort={ports.Silo}",
            $"--OrleansZk:GatewayPort={ports.Gateway}", $"--OrleansZk:ClientPort={taken}"]);
        Assert.Equal(1, await silo.WaitExitAsync());
        Assert.Contains($"OrleansZk:ClientPort: 127.0.0.1:{taken} is already in use", silo.Stderr);
    }

    private static async Task<string> FourLetterWordAsync(int port, string word)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(word));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(20));
    }
}
