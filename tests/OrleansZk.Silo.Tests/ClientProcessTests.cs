namespace OrleansZk.Silo.Tests;

/// <summary>An application that uses the SDK keeps its process's signals: SIGTERM ends it.</summary>
public sealed class ClientProcessTests : IDisposable
{
    private readonly SiloRunner _runner = new();

    public void Dispose() => _runner.Dispose();

    [Fact]
    public async Task A_process_with_a_connected_client_ends_on_SIGTERM()
    {
        var (_, ready) = await _runner.StartAsync(_runner.NewDirectory("data"));
        // The shell is such an application: connected, waiting for a line on its standard input.
        var shell = _runner.Launch(["-server", ready.Gateway], dll: SiloProcess.CliDll);
        await shell.WaitForStdoutAsync("Welcome to ZooKeeper!", TimeSpan.FromSeconds(60));

        shell.Terminate();
        // The SDK's Orleans client host must not take the signal for itself (the console lifetime
        // would: it cancels the signal and stops only that host, and the process would run on).
        await shell.WaitExitAsync(TimeSpan.FromSeconds(30));
    }
}
