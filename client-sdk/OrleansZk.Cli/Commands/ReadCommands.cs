using System.Text;
using OrleansZk.Cli.Output;
using OrleansZk.Cli.Parsing;
using OrleansZk.Core;

namespace OrleansZk.Cli.Commands;

/// <summary>
/// <c>ls [-s] [-w] [-R] path</c>: the children, sorted, as "[a, b]"; with -s the node's stat; with -R
/// every path below, one a line. -w sets a child watch on the node, or with -R a data watch on it
/// and a child watch on every node of the subtree, as zkCli's ZKUtil walk does. The shell's own
/// <c>--page N [--after name]</c> lists one page (<see cref="LsPaging"/>).
/// </summary>
internal sealed class LsCommand() : CliCommand("ls", "[-s] [-w] [-R] path")
{
    private static readonly OptionSpec Options = new OptionSpec().Flag('?', "help").Flag('s', "stat").Flag('w', "watch").Flag('R', "recurse");

    public override async Task ExecuteAsync(CommandContext context, string[] words)
    {
        var paging = LsPaging.Extract(ref words);
        var parsed = OptionParser.Parse(Options, words);
        if (parsed.Has('?')) PrintHelp(context.Out);
        parsed = RetainWatchCompatibility(Options, words, parsed, "ls [-w] path", context.Err);
        // Unlike the other commands, zkCli's ls checks its path only after printing the help.
        if (parsed.Args.Count < 2) throw new CliException(Usage);
        var path = parsed.Args[1];
        ValidatePath(path);
        var watcher = Watcher(context, parsed);
        if (paging != null)
        {
            if (parsed.Has('R')) throw new CliException($"-R lists a whole subtree and cannot be combined with {LsPaging.PageFlag}");
            await paging.ListAsync(context, path, watcher, parsed.Has('s'));
            return;
        }
        if (parsed.Has('R'))
        {
            await TreeWalk.VisitDepthFirstAsync(context.Connection, path, p =>
            {
                context.Out.WriteLine(p);
                return Task.CompletedTask;
            }, watcher);
            return;
        }
        var (children, stat) = await context.Connection.Call(path, zk => zk.GetChildrenWithStatAsync(path, watcher));
        context.Out.WriteLine("[" + string.Join(", ", children.Order(StringComparer.Ordinal)) + "]");
        if (parsed.Has('s')) StatPrinter.Print(context.Out, stat);
    }

    private static void PrintHelp(TextWriter output)
    {
        output.WriteLine("usage: ls [options] path");
        foreach (var line in Options.HelpLines()) output.WriteLine(line);
    }
}

/// <summary><c>get [-s] [-w] path</c>: the data as UTF-8 text ("null" for none), with -s the stat; -w sets a data watch (if the node exists).</summary>
internal sealed class GetCommand() : CliCommand("get", "[-s] [-w] path")
{
    private static readonly OptionSpec Options = new OptionSpec().Flag('s', "stats").Flag('w', "watch");

    public override async Task ExecuteAsync(CommandContext context, string[] words)
    {
        var parsed = Parse(Options, words, minArgs: 2);
        parsed = RetainWatchCompatibility(Options, words, parsed, "get [-s] [-w] path", context.Err);
        var path = parsed.Args[1];
        ValidatePath(path);
        var watcher = Watcher(context, parsed);
        var (data, stat) = await context.Connection.Call(path, zk => zk.GetDataAsync(path, watcher));
        context.Out.WriteLine(data == null ? "null" : Encoding.UTF8.GetString(data));
        if (parsed.Has('s')) StatPrinter.Print(context.Out, stat);
    }
}

/// <summary><c>stat [-w] path</c>: the node's stat; -w sets a watch even on a missing node (NodeCreated), as exists does.</summary>
internal sealed class StatCommand() : CliCommand("stat", "[-w] path")
{
    private static readonly OptionSpec Options = new OptionSpec().Flag('w', "watch");

    public override async Task ExecuteAsync(CommandContext context, string[] words)
    {
        var parsed = Parse(Options, words, minArgs: 2);
        parsed = RetainWatchCompatibility(Options, words, parsed, "stat [-w] path", context.Err);
        var path = parsed.Args[1];
        ValidatePath(path);
        var watcher = Watcher(context, parsed);
        var stat = await context.Connection.Call(path, zk => zk.ExistsAsync(path, watcher))
            ?? throw new KeeperError(ZkErrorCode.NoNode, path);
        StatPrinter.Print(context.Out, stat);
    }
}

/// <summary><c>getAllChildrenNumber path</c>: how many nodes lie below the node.</summary>
internal sealed class GetAllChildrenNumberCommand() : CliCommand("getAllChildrenNumber", "path")
{
    private static readonly OptionSpec Options = new();

    public override async Task ExecuteAsync(CommandContext context, string[] words)
    {
        var parsed = Parse(Options, words, minArgs: 2);
        var path = parsed.Args[1];
        ValidatePath(path);
        context.Out.WriteLine(await context.Connection.Call(path, zk => zk.GetAllChildrenNumberAsync(path)));
    }
}

/// <summary><c>getAcl [-s] path</c>: each ACL entry in jute's two-line form, with -s the stat.</summary>
internal sealed class GetAclCommand() : CliCommand("getAcl", "[-s] path")
{
    private static readonly OptionSpec Options = new OptionSpec().Flag('s', "stats");

    public override async Task ExecuteAsync(CommandContext context, string[] words)
    {
        var parsed = Parse(Options, words, minArgs: 2);
        var path = parsed.Args[1];
        ValidatePath(path);
        var (acl, stat) = await context.Connection.Call(path, zk => zk.GetAclAsync(path));
        foreach (var entry in acl) context.Out.WriteLine(AclText.Entry(entry));
        if (parsed.Has('s')) StatPrinter.Print(context.Out, stat);
    }
}

/// <summary><c>sync path</c>: "Sync is OK" once the service has applied everything committed before it.</summary>
internal sealed class SyncCommand() : CliCommand("sync", "path")
{
    private static readonly OptionSpec Options = new();

    public override async Task ExecuteAsync(CommandContext context, string[] words)
    {
        var parsed = Parse(Options, words, minArgs: 2);
        var path = parsed.Args[1];
        ValidatePath(path);
        try
        {
            await context.Connection.Call(path, zk => zk.SyncAsync(path));
            context.Out.WriteLine("Sync is OK");
        }
        catch (KeeperError e)
        {
            // zkCli reads sync's result code from its callback rather than an exception.
            context.Out.WriteLine("Sync has failed. rc=" + (int)e.Code);
        }
    }
}
