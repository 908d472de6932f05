using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansZk.Client;

namespace OrleansZk.Recipes.Tests.Child;

/// <summary>
/// What every child mode shares: one Orleans client to the service (a host with no logging, so
/// stdout carries only the child's report lines), clients over it, and thread-safe report lines.
/// </summary>
internal sealed class ChildHost : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly int _sessionMs;
    private readonly Lock _output = new();

    private ChildHost(IHost host, int sessionMs) => (_host, _sessionMs) = (host, sessionMs);

    public static async Task<ChildHost> StartAsync(string gateway, int sessionMs)
    {
        var host = new HostBuilder().ConfigureServices(s => s.AddOrleansZkClient(gateway, o => o.SessionTimeoutMs = sessionMs)).Build();
        await host.StartAsync();
        return new ChildHost(host, sessionMs);
    }

    /// <summary>A new client (its own session, opened on first use) over this process's Orleans client.</summary>
    public ZkClient NewClient() =>
        new(_host.Services.GetRequiredService<IClusterClient>(), new ZkClientOptions { SessionTimeoutMs = _sessionMs, RequestTimeout = TimeSpan.FromSeconds(20) });

    /// <summary>Prints one report line (lines never interleave).</summary>
    public void Say(string line)
    {
        lock (_output)
        {
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        }
    }

    /// <summary>
    /// Runs <paramref name="onLine"/> for each line on stdin until it closes (the test ended or was
    /// killed), on a thread of its own: Console.In's ReadLineAsync blocks its caller.
    /// </summary>
    public static Task ReadCommandsAsync(Func<string, Task> onLine) => Task.Run(async () =>
    {
        while (await Console.In.ReadLineAsync() is { } line) await onLine(line);
    });

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
