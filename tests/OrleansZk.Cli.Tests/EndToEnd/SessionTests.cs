using OrleansZk.Cli.Tests.Support;
using OrleansZk.Client;

namespace OrleansZk.Cli.Tests.EndToEnd;

/// <summary>
/// The shell's session: opened at start, closed — its ephemerals deleted at once, as another
/// client sees right after the shell returns — on <c>close</c>, <c>quit</c>, the end of input, after
/// a command-line command, and when the shell stops on an error zkCli does not survive.
/// </summary>
[Collection(SharedServiceCollection.Name)]
public sealed class SessionTests(SharedService shared) : IAsyncLifetime
{
    private readonly string _root = "/cli-" + Guid.NewGuid().ToString("N")[..12];
    private readonly List<ZkClient> _shellClients = [];
    private ZkClient _observer = null!;

    public async Task InitializeAsync()
    {
        _observer = await shared.Service.ConnectAsync();
        await _observer.CreateAsync(_root, null);
    }

    public async Task DisposeAsync()
    {
        await _observer.DisposeAsync();
        foreach (var client in _shellClients) await client.DisposeAsync();
    }

    private Task<ShellRun> Run(string script, IReadOnlyList<string>? command = null) =>
        ShellRun.RunAsync(async (_, ct) =>
        {
            var client = await shared.Service.ConnectAsync(ct);
            _shellClients.Add(client);
            return client;
        }, script, command);

    private string P(string name) => _root + "/" + name;

    [Fact]
    public async Task The_end_of_input_closes_the_session_and_its_ephemerals_go_at_once()
    {
        var run = await Run($"create -e {P("e")} x\ncreate -e -s {P("s-")}\nls {_root}\n");

        Assert.Equal($"Created {P("e")}\nCreated {P("s-0000000001")}\n", run.Stderr);
        Assert.EndsWith("[e, s-0000000001]\n", run.Stdout);
        Assert.Equal(0, run.ExitCode);
        Assert.Empty(await _observer.GetChildrenAsync(_root));
        Assert.Equal(ZkClientState.Closed, Assert.Single(_shellClients).State);
    }

    [Fact]
    public async Task Quit_closes_the_session_and_ignores_the_rest_of_the_input()
    {
        var run = await Run($"create -e {P("e")}\nquit\ncreate {P("after")}\n");

        Assert.Equal($"Created {P("e")}\n", run.Stderr);
        Assert.Empty(await _observer.GetChildrenAsync(_root));
    }

    [Fact]
    public async Task Close_ends_the_session_at_once_and_connect_opens_another()
    {
        var run = await Run($"create -e {P("e1")}\nclose\nls {_root}\nconnect\ncreate -e {P("e2")}\nls {_root}\n");

        Assert.EndsWith("Welcome to ZooKeeper!\nNot connected\n[e2]\n", run.Stdout);
        Assert.Equal(2, _shellClients.Count);
        Assert.NotEqual(_shellClients[0].SessionId, _shellClients[1].SessionId);
        Assert.Empty(await _observer.GetChildrenAsync(_root));
    }

    [Fact]
    public async Task A_command_line_command_runs_alone_and_closes_its_session()
    {
        var run = await Run($"create {P("never")}\n", ["create", "-e", P("e"), "x"]);

        Assert.Equal("Connecting to 127.0.0.1:30000\n", run.Stdout);
        Assert.Equal($"Created {P("e")}\n", run.Stderr);
        Assert.Empty(await _observer.GetChildrenAsync(_root));
    }

    [Fact]
    public async Task A_bad_version_ends_the_shell_as_it_ends_zkCli_and_closes_the_session()
    {
        var run = await Run($"create -e {P("e")}\nset -v abc {P("e")} y\ncreate {P("after")}\n");

        Assert.Equal(
            $"Created {P("e")}\nException in thread \"main\" java.lang.NumberFormatException: For input string: \"abc\"\n",
            run.Stderr);
        Assert.Equal(1, run.ExitCode);
        Assert.Empty(await _observer.GetChildrenAsync(_root));
    }

    [Fact]
    public async Task A_refused_addauth_ends_the_session_the_next_request_reports_it()
    {
        var run = await Run($"create -e {P("e")}\naddauth nosuch x\nls /\nls /\n");

        Assert.Equal($"Created {P("e")}\nKeeperErrorCode = AuthFailed for /\n", run.Stderr);
        Assert.EndsWith("Welcome to ZooKeeper!\nNot connected\n", run.Stdout);
        Assert.Empty(await _observer.GetChildrenAsync(_root));
    }

    [Fact]
    public async Task Deleteall_reports_a_failed_batch_every_time()
    {
        // zkCli prints this only when its callback wins a race. Without DELETE on n, its child
        // cannot go, so the one batch fails and nothing is deleted.
        var run = await Run($"create {P("n")}\ncreate {P("n/c")}\nsetAcl {P("n")} world:anyone:rwca\ndeleteall {P("n")}\nls -R {P("n")}\n");

        Assert.EndsWith("Failed to delete some node(s) in the subtree!\n", run.Stderr);
        Assert.EndsWith($"{P("n")}\n{P("n/c")}\n", run.Stdout);
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public async Task Deleteall_deletes_in_batches_leaves_first()
    {
        var script = $"create {P("t")}\ncreate {P("t/a")}\ncreate {P("t/a/b")}\ncreate {P("t/c")}\ndeleteall {P("t")} -b 1\nls {_root}\n";
        var run = await Run(script);

        Assert.EndsWith("[]\n", run.Stdout);
        Assert.Equal(0, run.ExitCode);
    }
}
