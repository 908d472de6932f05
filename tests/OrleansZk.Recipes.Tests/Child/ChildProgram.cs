using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansZk.Client;
using OrleansZk.Recipes.Discovery;
using OrleansZk.Recipes.Locks;

namespace OrleansZk.Recipes.Tests.Child;

/// <summary>
/// What a child process started by a test does, by its first argument: <c>contend</c>
/// (<see cref="ContendChild"/>), <c>lead</c> (<see cref="LeadChild"/>), <c>register</c> and
/// <c>discover</c> (<see cref="RegistryChild"/>), or
/// <c>agent gateway sessionMs lockPath registryPath configRoot</c>, which connects to the service,
/// takes the lock, registers an instance "agent", binds <c>Db:Host</c> from the configuration subtree through <see cref="IOptionsMonitor{TOptions}"/>, and reports on stdout:
/// <c>token N</c>, <c>config HOST</c> (at start and on every change), <c>lost REASON</c>. On each
/// <c>write</c> line on stdin it answers <c>write TOKEN LOST</c> (what it would send to a fenced store).
/// </summary>
public static class ChildProgram
{
    public sealed class DbOptions
    {
        public string Host { get; set; } = "";
    }

    public static Task<int> RunAsync(string[] args) => args switch
    {
        ["agent", var gateway, var sessionMs, var lockPath, var registryPath, var configRoot] => AgentAsync(gateway, sessionMs, lockPath, registryPath, configRoot),
        ["contend", var gateway, var sessionMs, var lockPath, var counterPath, var rounds, var clients] =>
            ContendChild.MainAsync(gateway, int.Parse(sessionMs), lockPath, counterPath, int.Parse(rounds), int.Parse(clients)),
        ["lead", var gateway, var sessionMs, var electionPath, var id] => LeadChild.MainAsync(gateway, int.Parse(sessionMs), electionPath, id),
        ["register", var gateway, var sessionMs, var basePath, var service, var id] => RegistryChild.RegisterAsync(gateway, int.Parse(sessionMs), basePath, service, id),
        ["discover", var gateway, var sessionMs, var basePath, var service] => RegistryChild.DiscoverAsync(gateway, int.Parse(sessionMs), basePath, service),
        _ => Task.FromResult(2),
    };

    private static async Task<int> AgentAsync(string gateway, string sessionMs, string lockPath, string registryPath, string configRoot)
    {
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
