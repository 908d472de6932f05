using System.Text;

namespace OrleansZk.Silo.Tests;

/// <summary>One data directory, one silo: the replica's lock file keeps a second process out.</summary>
public sealed class LockTests : IDisposable
{
    private readonly SiloRunner _runner = new();

    public void Dispose() => _runner.Dispose();

    [Fact]
    public async Task A_second_silo_on_the_same_data_directory_fails_to_start()
    {
        var data = Path.Combine(_runner.Root, "data");
        var (first, ready) = await _runner.StartAsync(data);
        var client = await _runner.ConnectAsync(ready);
        await client.CreateAsync("/locked", Encoding.UTF8.GetBytes("first"));

        var (siloPort, gatewayPort) = SiloRunner.FreePortPair();
        var second = _runner.Launch([$"--OrleansZk:DataDir={data}", $"--OrleansZk:SiloPort={siloPort}", $"--OrleansZk:GatewayPort={gatewayPort}"]);
        Assert.Equal(1, await second.WaitExitAsync(TimeSpan.FromSeconds(60)));
        Assert.DoesNotContain("ready", second.Stdout);
        var line = second.Stderr.Split('\n').LastOrDefault(l => l.Contains("failed to start"));
        Assert.True(line is not null, second.Output);
        Assert.Contains($"OrleansZk:DataDir {data} is locked by another process", line);
        Assert.Contains(Path.Combine(data, "replica-1", "LOCK"), line);

        // The first silo is untouched.
        Assert.False(first.HasExited);
        await client.SetDataAsync("/locked", Encoding.UTF8.GetBytes("still first"));
        await client.CloseAsync();
        Assert.Equal(0, await first.StopAsync());

        // The lock goes with its holder.
        var (_, next) = await _runner.StartAsync(data);
        var after = await _runner.ConnectAsync(next);
        Assert.Equal("still first", Encoding.UTF8.GetString((await after.GetDataAsync("/locked")).Data!));
    }
}
