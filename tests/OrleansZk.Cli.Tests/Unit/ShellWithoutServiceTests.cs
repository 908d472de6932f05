using OrleansZk.Cli.Tests.Support;
using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.Cli.Tests.Unit;

/// <summary>What the shell does before and without a session: start-up failures, usage, unknown commands, prompts.</summary>
public sealed class ShellWithoutServiceTests
{
    private static Task<ZkClient> Unreachable(string server, CancellationToken ct) =>
        Task.FromException<ZkClient>(new ConnectionLossException(null, $"no gateway of \"{server}\" answered"));

    [Fact]
    public async Task A_script_stops_when_the_first_session_cannot_be_opened()
    {
        var run = await ShellRun.RunAsync(Unreachable, "create /a\n");
        Assert.Equal("Connecting to 127.0.0.1:30000\n", run.Stdout);
        Assert.Equal("KeeperErrorCode = ConnectionLoss: no gateway of \"127.0.0.1:30000\" answered\n", run.Stderr);
        Assert.Equal(1, run.ExitCode);
    }

    [Fact]
    public async Task A_person_keeps_the_shell_and_sees_Not_connected()
    {
        var run = await ShellRun.RunAsync(Unreachable, "ls /\nconnect other:1\nget /a\n", interactive: true);
        Assert.Equal(
            "Connecting to 127.0.0.1:30000\n" +
            "Welcome to ZooKeeper!\n" +
            "[zk: 127.0.0.1:30000(NOT_CONNECTED) 0] Not connected\n" +
            "[zk: 127.0.0.1:30000(NOT_CONNECTED) 1] " +
            "[zk: 127.0.0.1:30000(NOT_CONNECTED) 2] Not connected\n" +
            "[zk: 127.0.0.1:30000(NOT_CONNECTED) 3] ",
            run.Stdout);
        Assert.Equal(
            "KeeperErrorCode = ConnectionLoss: no gateway of \"127.0.0.1:30000\" answered\n" +
            "KeeperErrorCode = ConnectionLoss: no gateway of \"other:1\" answered\n",
            run.Stderr);
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public async Task Help_prints_the_usage_that_zkCli_prints_for_its_commands()
    {
        var run = await ShellRun.RunAsync(Unreachable, "help\n", interactive: true);

        // zkCli's usage as recorded (Transcripts/11-exit-notfound), less the commands the shell does not have.
        var recorded = Transcript.Load("11-exit-notfound").Stderr.Split('\n')
            .SkipWhile(l => !l.StartsWith("ZooKeeper -server", StringComparison.Ordinal))
            .TakeWhile(l => !l.StartsWith("Command not found", StringComparison.Ordinal));
        var expected = KnownDifferences.Apply(string.Join("\n", recorded)) + "\n";
        Assert.EndsWith(expected, run.Stderr);
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public async Task An_unknown_command_prints_the_usage_and_exits_127()
    {
        var run = await ShellRun.RunAsync(Unreachable, "frobnicate /a\n", interactive: true);
        Assert.EndsWith("\tsync path\nCommand not found: Command not found frobnicate\n", run.Stderr);
        Assert.Equal(127, run.ExitCode);
    }

    [Fact]
    public async Task Printwatches_needs_no_session_and_any_word_but_on_turns_printing_off()
    {
        var run = await ShellRun.RunAsync(Unreachable, "printwatches\nprintwatches off\nprintwatches\nprintwatches on\nprintwatches\nprintwatches ON\nprintwatches\n", interactive: true);
        Assert.Equal(
            "Connecting to 127.0.0.1:30000\n" +
            "Welcome to ZooKeeper!\n" +
            "[zk: 127.0.0.1:30000(NOT_CONNECTED) 0] printwatches is on\n" +
            "[zk: 127.0.0.1:30000(NOT_CONNECTED) 1] " +
            "[zk: 127.0.0.1:30000(NOT_CONNECTED) 2] printwatches is off\n" +
            "[zk: 127.0.0.1:30000(NOT_CONNECTED) 3] " +
            "[zk: 127.0.0.1:30000(NOT_CONNECTED) 4] printwatches is on\n" +
            "[zk: 127.0.0.1:30000(NOT_CONNECTED) 5] " +
            "[zk: 127.0.0.1:30000(NOT_CONNECTED) 6] printwatches is off\n" +
            "[zk: 127.0.0.1:30000(NOT_CONNECTED) 7] ",
            run.Stdout);
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public async Task Empty_lines_are_not_commands()
    {
        var run = await ShellRun.RunAsync(Unreachable, "\n\n", interactive: true);
        Assert.EndsWith("[zk: 127.0.0.1:30000(NOT_CONNECTED) 0] [zk: 127.0.0.1:30000(NOT_CONNECTED) 0] [zk: 127.0.0.1:30000(NOT_CONNECTED) 0] ", run.Stdout);
    }
}
