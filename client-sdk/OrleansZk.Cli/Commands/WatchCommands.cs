using OrleansZk.Cli.Parsing;
using OrleansZk.Core;

namespace OrleansZk.Cli.Commands;

/// <summary>
/// <c>addWatch [-m mode] path</c>: a watch that stays until removed or the session ends,
/// PERSISTENT_RECURSIVE unless <c>-m PERSISTENT</c> (the mode in any case). Prints nothing; its
/// events are printed as they come.
/// </summary>
internal sealed class AddWatchCommand() : CliCommand(
    "addWatch", "[-m mode] path # optional mode is one of [PERSISTENT, PERSISTENT_RECURSIVE] - default is PERSISTENT_RECURSIVE")
{
    // zkCli gives -m no description.
    private static readonly OptionSpec Options = new OptionSpec().Value('m', "");

    public override async Task ExecuteAsync(CommandContext context, string[] words)
    {
        var parsed = OptionParser.Parse(Options, words);
        // Unlike the other commands, exactly one path: a second word is refused too.
        if (parsed.Args.Count != 2) throw new CliException(Usage);
        var mode = parsed.Value('m') is { } text ? Mode(text) ?? throw new CliException(Usage) : AddWatchMode.PersistentRecursive;
        var path = parsed.Args[1];
        // zkCli catches only ZooKeeper's errors here: the Java client's path check ends the shell.
        if (ZkPath.Check(path) is { } reason)
            throw new ShellCrashException("java.lang.IllegalArgumentException: " + reason);
        await context.Connection.Call(path, zk => zk.AddWatchAsync(path, context.Connection.Watcher, mode));
    }

    /// <summary>Java's <c>AddWatchMode.valueOf(text.toUpperCase())</c>; null where it throws.</summary>
    internal static AddWatchMode? Mode(string text) => text.ToUpperInvariant() switch
    {
        "PERSISTENT" => AddWatchMode.Persistent,
        "PERSISTENT_RECURSIVE" => AddWatchMode.PersistentRecursive,
        _ => null,
    };
}

/// <summary>
/// <c>removewatches path [-c|-d|-a] [-l]</c>: removes the shell's watches of one kind on the node —
/// child (-c), data and exists (-d), or any, persistent ones included (-a, the default); -c wins
/// over -d, and -d over -a. Each removed kind fires its event (ChildWatchRemoved, DataWatchRemoved,
/// PersistentWatchRemoved); "No such watcher" when the shell has none of that kind there. With -l
/// the watches are removed in the shell only, the service keeping them.
/// </summary>
internal sealed class RemoveWatchesCommand() : CliCommand("removewatches", "path [-c|-d|-a] [-l]")
{
    private static readonly OptionSpec Options = new OptionSpec()
        .Flag('c', "child watcher type").Flag('d', "data watcher type").Flag('a', "any watcher type")
        .Flag('l', "remove locally when there is no server connection");

    public override async Task ExecuteAsync(CommandContext context, string[] words)
    {
        var parsed = Parse(Options, words, minArgs: 2);
        var path = parsed.Args[1];
        var type = parsed.Has('c') ? WatcherType.Children : parsed.Has('d') ? WatcherType.Data : WatcherType.Any;
        var local = parsed.Has('l');
        ValidatePath(path);
        // zkCli removes every watcher of the kind (removeAllWatches); the shell has only its own.
        await context.Connection.Call(path, zk => zk.RemoveAllWatchesAsync(path, type, local));
    }
}
