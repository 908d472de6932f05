using System.Net;
using System.Net.Sockets;
using OrleansZk.Client;

namespace OrleansZk.Silo.Tests;

/// <summary>
/// One test's silos: a temporary directory (data directories, working directories) and every
/// child process started through it, all killed and deleted on dispose.
/// </summary>
public sealed class SiloRunner : IDisposable
{
    private readonly List<SiloProcess> _processes = [];
    private readonly List<ZkClient> _clients = [];

    public SiloRunner()
    {
        Root = Path.Combine(Path.GetTempPath(), "orleanszk-silo-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
    }

    /// <summary>This test's scratch directory.</summary>
    public string Root { get; }

    /// <summary>A new empty directory below <see cref="Root"/>.</summary>
    public string NewDirectory(string name)
    {
        var path = Path.Combine(Root, name);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Starts a silo process without waiting for it.</summary>
    public SiloProcess Launch(IEnumerable<string> args, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, string? dll = null)
    {
        var silo = SiloProcess.Start(args, workingDirectory ?? Root, environment, dll);
        lock (_processes) _processes.Add(silo);
        return silo;
    }

    /// <summary>
    /// Starts a silo on <paramref name="dataDir"/> and waits until it is ready. Without
    /// <paramref name="ports"/> it takes two free ports, and takes others if a port was grabbed
    /// meanwhile (the silo refuses a taken port).
    /// </summary>
    public async Task<(SiloProcess Silo, SiloReady Ready)> StartAsync(string dataDir, (int Silo, int Gateway)? ports = null, params string[] extraArgs)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (siloPort, gatewayPort) = ports ?? FreePortPair();
            var silo = Launch([
                $"--OrleansZk:DataDir={dataDir}",
                $"--OrleansZk:SiloPort={siloPort}",
                $"--OrleansZk:GatewayPort={gatewayPort}",
                .. extraArgs]);
            try
            {
                return (silo, await silo.WaitReadyAsync());
            }
            catch (SiloExitedException e) when (ports is null && attempt < 3 && e.ProcessOutput.Contains("already in use"))
            {
                // Another process took a port between our check and the silo's: try other ports.
            }
        }
    }

    /// <summary>A client connected to the gateway the silo printed.</summary>
    public Task<ZkClient> ConnectAsync(SiloReady ready, TimeSpan? requestTimeout = null) =>
        ConnectAsync(ready.Gateway, new ZkClientOptions { RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(15) });

    /// <summary>A client connected through <paramref name="connectString"/> (gateways or a database), closed on dispose.</summary>
    public async Task<ZkClient> ConnectAsync(string connectString, ZkClientOptions options)
    {
        var client = await ZkClient.ConnectAsync(connectString, options);
        lock (_clients) _clients.Add(client);
        return client;
    }

    /// <summary>Closes a client whose silo may be gone: bounded, errors ignored.</summary>
    public static async Task CloseQuietlyAsync(ZkClient client)
    {
        try
        {
            await client.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (Exception)
        {
            // The session ends by expiry instead; nothing here depends on it.
        }
    }

    /// <summary>Two distinct ports that were free on 127.0.0.1 a moment ago.</summary>
    public static (int Silo, int Gateway) FreePortPair()
    {
        var a = FreePort();
        int b;
        do b = FreePort(); while (b == a);
        return (a, b);
    }

    /// <summary>Whether something listens on 127.0.0.1:<paramref name="port"/>.</summary>
    public static bool InUse(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
        finally
        {
            listener.Stop();
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public void Dispose()
    {
        List<ZkClient> clients;
        lock (_clients) clients = [.. _clients];
        // Kill the silos first, so that closing the clients cannot wait on them.
        lock (_processes)
        {
            foreach (var silo in _processes) silo.Dispose();
        }
        Task.WhenAll(clients.Select(CloseQuietlyAsync)).Wait(TimeSpan.FromSeconds(30));
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }
}
