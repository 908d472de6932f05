using System.Text;
using OrleansZk.Cli.Tests.Support;
using OrleansZk.Client;

namespace OrleansZk.Cli.Tests.EndToEnd;

/// <summary>
/// Watch events the transcripts cannot show: those caused by another session, which come while the
/// shell waits for its next line and are printed at once, in the order the service made them.
/// </summary>
[Collection(SharedServiceCollection.Name)]
public sealed class WatchTests(SharedService shared) : IAsyncLifetime
{
    private readonly string _root = "/cli-" + Guid.NewGuid().ToString("N")[..12];
    private readonly List<ZkClient> _shellClients = [];
    private ZkClient _other = null!;

    public async Task InitializeAsync()
    {
        _other = await shared.Service.ConnectAsync();
        await _other.CreateAsync(_root, null);
    }

    public async Task DisposeAsync()
    {
        await _other.DisposeAsync();
        foreach (var client in _shellClients) await client.DisposeAsync();
    }

    private string P(string name) => _root + "/" + name;

    private static string Event(string type, string path) => $"\nWATCHER::\n\nWatchedEvent state:SyncConnected type:{type} path:{path}\n";

    [Fact]
    public async Task Another_sessions_change_is_printed_while_the_shell_waits_for_its_next_line()
    {
        await _other.CreateAsync(P("a"), "x"u8.ToArray());
        var shell = Start();

        shell.Input.Type($"get -w {P("a")}");
        await shell.Output.WaitForAsync(t => t.EndsWith("x\n", StringComparison.Ordinal), "the data");
        await _other.SetDataAsync(P("a"), "y"u8.ToArray());
        await shell.Output.WaitForAsync(t => t.Contains("NodeDataChanged", StringComparison.Ordinal), "the event");
        shell.Input.Type($"get {P("a")}");
        shell.Input.End();

        Assert.Equal(0, await shell.Run);
        Assert.Equal(
            "Connecting to 127.0.0.1:30000\nWelcome to ZooKeeper!\nx\n" + Event("NodeDataChanged", P("a")) + "y\n",
            shell.Output.Text);
        Assert.Equal("", shell.Error.Text);
    }

    [Fact]
    public async Task A_recursive_watch_prints_another_sessions_burst_of_changes_in_order()
    {
        await _other.CreateAsync(P("r"), "r"u8.ToArray());
        var shell = Start();
        shell.Input.Type($"addWatch {P("r")}");
        shell.Input.Type($"get {P("r")}");
        await shell.Output.WaitForAsync(t => t.EndsWith("r\n", StringComparison.Ordinal), "the watch in place");

        var expected = new StringBuilder("Connecting to 127.0.0.1:30000\nWelcome to ZooKeeper!\nr\n");
        for (var i = 0; i < 5; i++)
        {
            var child = P($"r/c{i}");
            await _other.CreateAsync(child, null);
            await _other.CreateAsync(child + "/g", null);
            await _other.SetDataAsync(child, "v"u8.ToArray());
            await _other.DeleteAsync(child + "/g");
            expected.Append(Event("NodeCreated", child)).Append(Event("NodeCreated", child + "/g"))
                .Append(Event("NodeDataChanged", child)).Append(Event("NodeDeleted", child + "/g"));
        }
        await _other.SetDataAsync(P("r"), "s"u8.ToArray());
        expected.Append(Event("NodeDataChanged", P("r")));
        await shell.Output.WaitForAsync(t => t.Length >= expected.Length, "twenty-one events");
        shell.Input.End();

        Assert.Equal(0, await shell.Run);
        Assert.Equal(expected.ToString(), shell.Output.Text);
    }

    [Fact]
    public async Task Printwatches_off_hides_events_as_they_come_and_on_shows_them_again()
    {
        await _other.CreateAsync(P("p"), null);
        var shell = Start();
        shell.Input.Type($"addWatch -m PERSISTENT {P("p")}");
        shell.Input.Type("printwatches off");
        shell.Input.Type("printwatches");
        await shell.Output.WaitForAsync(t => t.EndsWith("printwatches is off\n", StringComparison.Ordinal), "printing off");
        await _other.SetDataAsync(P("p"), "hidden"u8.ToArray());
        // A read that sees the change is answered only after the change's event was delivered.
        shell.Input.Type($"get {P("p")}");
        await shell.Output.WaitForAsync(t => t.EndsWith("hidden\n", StringComparison.Ordinal), "the change read");
        shell.Input.Type("printwatches on");
        shell.Input.Type("printwatches");
        await shell.Output.WaitForAsync(t => t.EndsWith("printwatches is on\n", StringComparison.Ordinal), "printing on");
        await _other.CreateAsync(P("p/c"), null);
        await shell.Output.WaitForAsync(t => t.Contains("NodeChildrenChanged", StringComparison.Ordinal), "the child event");
        shell.Input.End();

        Assert.Equal(0, await shell.Run);
        Assert.Equal(
            "Connecting to 127.0.0.1:30000\nWelcome to ZooKeeper!\nprintwatches is off\nhidden\nprintwatches is on\n" + Event("NodeChildrenChanged", P("p")),
            shell.Output.Text);
    }

    [Fact]
    public async Task The_timeout_option_asks_for_the_sessions_timeout()
    {
        var options = ShellOptions.Parse(["-timeout", "5000"], interactive: false, TextWriter.Null);

        await using var client = await shared.Service.ConnectAsync(options.ClientOptions());

        Assert.Equal(5000, client.SessionTimeoutMs);
    }

    private sealed record LiveShell(Task<int> Run, LiveInput Input, LiveOutput Output, LiveOutput Error);

    private LiveShell Start()
    {
        var (input, output, error) = (new LiveInput(), new LiveOutput(), new LiveOutput());
        var shell = new Shell(new ShellOptions { Server = "127.0.0.1:30000" }, async (_, ct) =>
        {
            var client = await shared.Service.ConnectAsync(ct);
            lock (_shellClients) _shellClients.Add(client);
            return client;
        }, input, output, error);
        var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var run = shell.RunAsync(timeout.Token);
        _ = run.ContinueWith(_ => timeout.Dispose(), TaskScheduler.Default);
        return new LiveShell(run, input, output, error);
    }
}
