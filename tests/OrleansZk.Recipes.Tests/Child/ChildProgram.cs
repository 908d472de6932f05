using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansZk.Client;
using OrleansZk.Recipes.Discovery;
using OrleansZk.Recipes.Locks;

namespace OrleansZk.Recipes.Tests.Child;

/// <summary>
/// What a child process started by a test does: <c>agent gateway sessionMs lockPath registryPath configRoot</c>
/// connects to the service, takes the lock, registers an instance "agent", binds <c>Db:Host</c> from
/// the configuration subtree through <see cref="IOptionsMonitor{TOptions}"/>, and reports on stdout:
/// <c>token N</c>, <c>config HOST</c> (at start and on every change), <c>lost REASON</c>. On each
/// <c>write</c> line on stdin it answers <c>write TOKEN LOST</c> (what it would send to a fenced store).
/// </summary>
public static class ChildProgram
{
    public sealed class DbOptions
    {
        public string Host { get; set; } = "";
    }

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not ["agent", var gateway, var sessionMs, var lockPath, var registryPath, var configRoot]) return 2;
        var zk = await ZkClient.ConnectAsync(gateway, new ZkClientOptions { SessionTimeoutMs = int.Parse(sessionMs) });
        var output = new Lock();
        void Say(string line)
        {
            lock (output) Console.Out.WriteLine(line);
        }

        var held = await new ZkMutex(zk, lockPath).AcquireAsync();
        held.Lost.Register(() => Say("lost " + held.LostReason));
        Say("token " + held.Token);
        var registry = new ZkServiceRegistry(zk, registryPath);
        await registry.RegisterAsync(ServiceInstance.Create("agents", "child", Environment.ProcessId, id: "agent"));
        var configuration = new ConfigurationBuilder().AddOrleansZk(zk, configRoot).Build();
        using var services = new ServiceCollection().Configure<DbOptions>(configuration.GetSection("Db")).BuildServiceProvider();
        var monitor = services.GetRequiredService<IOptionsMonitor<DbOptions>>();
        using var onChange = monitor.OnChange(o => Say("config " + o.Host));
        Say("config " + monitor.CurrentValue.Host);
        while (await Console.In.ReadLineAsync() is { } line)
        {
            if (line == "write") Say($"write {held.Token} {held.IsLost}");
        }
        return 0;
    }
}
