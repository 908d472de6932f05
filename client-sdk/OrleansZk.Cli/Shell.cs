using OrleansZk.Cli.Commands;
using OrleansZk.Cli.Output;
using OrleansZk.Cli.Parsing;
using OrleansZk.Client;

namespace OrleansZk.Cli;

/// <summary>
/// The zkCli look-alike: reads command lines, runs them against one session, and writes what
/// ZooKeeper 3.8's zkCli writes, answers on <c>output</c> and notices and errors on <c>error</c>.
/// Unlike zkCli, the session is closed (its ephemerals deleted at once) when the shell ends:
/// on <c>quit</c>, at the end of input, or after a command-line command.
/// </summary>
/// <param name="options">Where to connect first, and how the shell runs.</param>
/// <param name="connect">Opens a session against a connect string; used at start and by <c>connect</c>.</param>
/// <param name="input">The command lines (standard input).</param>
/// <param name="output">Standard output; watch events are written to it from the SDK's threads (the shell synchronizes it).</param>
/// <param name="error">Standard error.</param>
public sealed class Shell(
    ShellOptions options,
    Func<string, CancellationToken, Task<ZkClient>> connect,
    TextReader input,
    TextWriter output,
    TextWriter error)
{
    // The commands the shell runs itself, with their usage (zkCli's ZooKeeperMain handles these).
    private static readonly Dictionary<string, string> ShellCommands = new(StringComparer.Ordinal)
    {
        ["connect"] = "host:port",
        ["printwatches"] = "on|off",
        ["quit"] = "",
    };

    private readonly IReadOnlyDictionary<string, CliCommand> _commands = CommandTable.Create();
    private readonly TextWriter _output = TextWriter.Synchronized(output);
    private WatchPrinter? _watchPrinter;
    private Connection? _connection;
    private int _commandCount;
    private int _exitCode;
    private bool _quit;

    /// <summary>Runs until <c>quit</c> or the end of input (or runs the command-line command); returns the exit code zkCli would.</summary>
    public async Task<int> RunAsync(CancellationToken ct = default)
    {
        _output.WriteLine("Connecting to " + Shown(options.Server));
        try
        {
            try
            {
                await ConnectAsync(options.Server, ct);
            }
            catch (CliException e)
            {
                error.WriteLine(e.Message);
                // A script must not run on without its session; a person can still "connect".
                if (!options.Interactive) return e.ExitCode;
            }
            if (options.Command is { } command)
                await ProcessAsync([.. command], ct);
            else
                await ReadLinesAsync(ct);
        }
        catch (ShellCrashException e)
        {
            error.WriteLine(e.Message);
            _exitCode = 1;
        }
        finally
        {
            if (_connection != null) await _connection.CloseAsync();
        }
        return _exitCode;
    }

    private async Task ReadLinesAsync(CancellationToken ct)
    {
        _output.WriteLine("Welcome to ZooKeeper!");
        while (!_quit)
        {
            if (options.Interactive) _output.Write(Prompt());
            var line = await input.ReadLineAsync(ct);
            if (line == null) return;
            if (line.Length == 0) continue;
            var words = LineTokenizer.Split(line);
            // zkCli would run the previous command again for a line of bare quotes; it is skipped here.
            if (words.Count > 0) await ProcessAsync([.. words], ct);
            _commandCount++;
        }
    }

    private string Prompt() =>
        $"[zk: {Shown(_connection?.Host ?? options.Server)}({_connection?.StateName ?? "NOT_CONNECTED"}) {_commandCount}] ";

    /// <summary>Runs one command; its outcome sets the exit code (except <c>quit</c>, which keeps the previous one).</summary>
    private async Task ProcessAsync(string[] words, CancellationToken ct)
    {
        try
        {
            await DispatchAsync(words, ct);
            if (!_quit) _exitCode = 0;
        }
        catch (CliException e)
        {
            _exitCode = e.ExitCode;
            error.WriteLine(e.Message);
        }
        catch (KeeperError e)
        {
            _exitCode = 1;
            error.WriteLine(ErrorText.Cli(e.Code, e.Path));
        }
    }

    private async Task DispatchAsync(string[] words, CancellationToken ct)
    {
        var name = words[0];
        // zkCli has no help command: it prints the usage for any unknown word, adding an error.
        if (name == "help")
        {
            PrintUsage();
            return;
        }
        if (!ShellCommands.ContainsKey(name) && !_commands.ContainsKey(name))
        {
            PrintUsage();
            throw new CliException("Command not found: Command not found " + name, 127);
        }
        if (name == "quit")
        {
            _quit = true;
            return;
        }
        if (name == "connect")
        {
            await ConnectAsync(words.Length >= 2 ? words[1] : _connection?.Host ?? options.Server, ct);
            return;
        }
        if (name == "printwatches")
        {
            // As zkCli: any word but "on" turns printing off.
            if (words.Length == 1) _output.WriteLine("printwatches is " + (WatchPrinter.Enabled ? "on" : "off"));
            else WatchPrinter.Enabled = words[1] == "on";
            return;
        }
        if (_connection is not { IsAlive: true })
        {
            _output.WriteLine("Not connected");
            return;
        }
        await _commands[name].ExecuteAsync(new CommandContext(_connection, _output, error), words);
    }

    /// <summary>zkCli's default watcher: one for the shell's life, behind every session's watches.</summary>
    private WatchPrinter WatchPrinter => _watchPrinter ??= new WatchPrinter(_output);

    /// <summary>Closes the current session, if any, and opens one against <paramref name="server"/>.</summary>
    /// <exception cref="CliException">No session could be opened (the shell is then not connected).</exception>
    private async Task ConnectAsync(string server, CancellationToken ct)
    {
        if (_connection != null) await _connection.CloseAsync();
        _connection = null;
        try
        {
            _connection = new Connection(await connect(server, ct), server, WatchPrinter.Watcher);
        }
        catch (Core.ZkException e)
        {
            throw new CliException(e.Message);
        }
    }

    /// <summary>A connect string as the shell prints it: a database's password masked.</summary>
    private static string Shown(string server)
    {
        try
        {
            return ZkConnectString.Parse(server).ToString();
        }
        catch (Core.ZkException)
        {
            return server;
        }
    }

    private void PrintUsage()
    {
        error.WriteLine("ZooKeeper -server host:port -client-configuration properties-file cmd args");
        var usages = ShellCommands.Concat(_commands.Where(c => c.Value.Listed).Select(c => KeyValuePair.Create(c.Key, c.Value.OptionUsage)));
        foreach (var (name, usage) in usages.OrderBy(u => u.Key, StringComparer.Ordinal))
            error.WriteLine("\t" + name + " " + usage);
    }
}
