using OrleansZk.Cli;
using OrleansZk.Client;

// zkCli's command line: [-server host:port] [-timeout ms] [command args...]. Commands are read
// from standard input when none is given, with prompts only when a person is typing.
// Only the shell writes to standard output, which scripts parse: anything else in the process
// that writes to the console goes to standard error.
var stdout = Console.Out;
Console.SetOut(Console.Error);

ShellOptions options;
try
{
    options = ShellOptions.Parse(args, interactive: !Console.IsInputRedirected, Console.Error);
}
catch (ShellCrashException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
var shell = new Shell(
    options,
    (server, ct) => ZkClient.ConnectAsync(server, options.ClientOptions(), ct),
    Console.In,
    stdout,
    Console.Error);
return await shell.RunAsync();
