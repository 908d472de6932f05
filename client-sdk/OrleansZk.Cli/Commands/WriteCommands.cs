using System.Text;
using OrleansZk.Cli.Output;
using OrleansZk.Cli.Parsing;
using OrleansZk.Core;

namespace OrleansZk.Cli.Commands;

/// <summary>
/// <c>create [-s] [-e] [-c] [-t ttl] path [data] [acl]</c>: prints "Created PATH" (with the
/// sequence suffix) on standard error, as zkCli does.
/// </summary>
internal sealed class CreateCommand() : CliCommand("create", "[-s] [-e] [-c] [-t ttl] path [data] [acl]")
{
    private static readonly OptionSpec Options = new OptionSpec()
        .Flag('e', "ephemeral").Flag('s', "sequential").Flag('c', "container").Value('t', "ttl");

    public override async Task ExecuteAsync(CommandContext context, string[] words)
    {
        var parsed = Parse(Options, words, minArgs: 2);
        var mode = Mode(parsed, out var ttl);
        var path = parsed.Args[1];
        var data = parsed.Args.Count > 2 ? Encoding.UTF8.GetBytes(parsed.Args[2]) : null;
        var acl = parsed.Args.Count > 3 ? AclText.Parse(parsed.Args[3], context.Err) : [.. AclList.OpenUnsafe];

        ValidatePath(path, mode.IsSequential());
        try
        {
            // The Java client refuses an empty ACL itself, without a path.
            if (acl.Count == 0) throw new KeeperError(ZkErrorCode.InvalidAcl, null);
            var created = await context.Connection.Call(path, zk => zk.CreateAsync(path, data, acl, mode, ttl));
            context.Err.WriteLine("Created " + created);
        }
        catch (KeeperError e) when (e.Code == ZkErrorCode.InvalidAcl)
        {
            // zkCli prints the Java client's message before its own.
            context.Err.WriteLine(e.Message);
            throw;
        }
    }

    /// <summary>The node kind from -e -s -c -t, with zkCli's checks in zkCli's order; <paramref name="ttl"/> is -1 without -t.</summary>
    private static CreateMode Mode(ParsedArgs parsed, out long ttl)
    {
        bool e = parsed.Has('e'), s = parsed.Has('s'), c = parsed.Has('c'), t = parsed.Has('t');
        if (c && (e || s))
            throw new CliException("-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.");
        ttl = -1;
        if (t) ttl = JavaNumbers.ParseLong(parsed.Value('t')!) ?? throw new CliException("-t argument must be a long value");
        if (t && e) throw new CliException("TTLs cannot be used with Ephemeral znodes");
        if (t && c) throw new CliException("TTLs cannot be used with Container znodes");
        if (t && (ttl <= 0 || ttl > EphemeralOwners.MaxTtlMs))
            throw new CliException("ttl must be positive and cannot be larger than: " + EphemeralOwners.MaxTtlMs);
        return (e, s, c, t) switch
        {
            (true, true, _, _) => CreateMode.EphemeralSequential,
            (true, false, _, _) => CreateMode.Ephemeral,
            (false, true, _, true) => CreateMode.PersistentSequentialWithTtl,
            (false, true, _, false) => CreateMode.PersistentSequential,
            (false, false, true, _) => CreateMode.Container,
            (false, false, false, true) => CreateMode.PersistentWithTtl,
            _ => CreateMode.Persistent,
        };
    }
}

/// <summary><c>set [-s] [-v version] path data</c>: replaces the data; with -s prints the new stat.</summary>
internal sealed class SetCommand() : CliCommand("set", "[-s] [-v version] path data")
{
    private static readonly OptionSpec Options = new OptionSpec().Flag('s', "stats").Value('v', "version");

    public override async Task ExecuteAsync(CommandContext context, string[] words)
    {
        var parsed = Parse(Options, words, minArgs: 3);
        var path = parsed.Args[1];
        var data = Encoding.UTF8.GetBytes(parsed.Args[2]);
        var version = Version(parsed);
        ValidatePath(path);
        var stat = await context.Connection.Call(path, zk => zk.SetDataAsync(path, data, version));
        if (parsed.Has('s')) StatPrinter.Print(context.Out, stat);
    }
}

/// <summary><c>delete [-v version] path</c>.</summary>
internal sealed class DeleteCommand() : CliCommand("delete", "[-v version] path")
{
    private static readonly OptionSpec Options = new OptionSpec().Value('v', "version");

    public override async Task ExecuteAsync(CommandContext context, string[] words)
    {
        var parsed = Parse(Options, words, minArgs: 2);
        // zkCli 3.4's "delete path version": zkCli warns and ignores the version.
        if (parsed.Args.Count > 2)
            context.Err.WriteLine("'delete path [version]' has been deprecated. Please use 'delete [-v version] path' instead.");
        var path = parsed.Args[1];
        var version = Version(parsed);
        ValidatePath(path);
        await context.Connection.Call(path, zk => zk.DeleteAsync(path, version));
    }
}

/// <summary>
/// <c>deleteall path [-b batch size]</c>: lists the subtree, then deletes it leaves first in
/// multis of up to the batch size (1000), stopping at the first failed batch.
/// </summary>
internal sealed class DeleteAllCommand() : CliCommand("deleteall", "path [-b batch size]")
{
    private static readonly OptionSpec Options = new OptionSpec().Value('b', "batch size");

    public override async Task ExecuteAsync(CommandContext context, string[] words)
    {
        var parsed = Parse(Options, words, minArgs: 2);
        var batchSize = parsed.Value('b') is { } text
            ? JavaNumbers.ParseInt(text) ?? throw new CliException("-b argument must be an int value")
            : 1000;
        var path = parsed.Args[1];
        ValidatePath(path);
        var tree = await TreeWalk.ListBreadthFirstAsync(context.Connection, path);
        // zkCli reports a failed batch only when its callback wins a race with the end of the
        // command; a failure is always reported here.
        if (!await DeleteInBatchesAsync(context.Connection, tree, batchSize))
            context.Err.WriteLine("Failed to delete some node(s) in the subtree!");
    }

    private static async Task<bool> DeleteInBatchesAsync(Connection connection, List<string> tree, int batchSize)
    {
        var batch = new List<WriteRequest>();
        for (var i = tree.Count - 1; i >= 0; i--)
        {
            batch.Add(new DeleteRequest(tree[i], -1));
            if (batch.Count != batchSize && i != 0) continue;
            var ops = batch;
            batch = [];
            try
            {
                await connection.Call(tree[i], zk => zk.MultiAsync(ops));
            }
            catch (KeeperError)
            {
                return false;
            }
        }
        return true;
    }
}
