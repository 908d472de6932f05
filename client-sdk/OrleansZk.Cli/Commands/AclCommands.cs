using OrleansZk.Cli.Output;
using OrleansZk.Cli.Parsing;
using OrleansZk.Core;

namespace OrleansZk.Cli.Commands;

/// <summary>
/// <c>setAcl [-s] [-v version] [-R] path acl</c>: replaces the ACL (with -s prints the new stat);
/// with -R of every node of the subtree, printing each failure's message without a line break, as
/// zkCli does.
/// </summary>
internal sealed class SetAclCommand() : CliCommand("setAcl", "[-s] [-v version] [-R] path acl")
{
    private static readonly OptionSpec Options = new OptionSpec().Flag('s', "stats").Value('v', "version").Flag('R', "recursive");

    public override async Task ExecuteAsync(CommandContext context, string[] words)
    {
        var parsed = Parse(Options, words, minArgs: 3);
        var path = parsed.Args[1];
        var acl = AclText.Parse(parsed.Args[2], context.Err);
        var version = Version(parsed);
        ValidatePath(path);
        if (parsed.Has('R'))
        {
            await TreeWalk.VisitDepthFirstAsync(context.Connection, path, async node =>
            {
                try
                {
                    await SetAclAsync(context.Connection, node, acl, version);
                }
                catch (KeeperError e)
                {
                    context.Out.Write(e.Message);
                }
            });
            return;
        }
        var stat = await SetAclAsync(context.Connection, path, acl, version);
        if (parsed.Has('s')) StatPrinter.Print(context.Out, stat);
    }

    private static Task<Stat> SetAclAsync(Connection connection, string path, List<Acl> acl, int version) =>
        // The Java client refuses an empty ACL itself, without a path.
        acl.Count == 0
            ? throw new KeeperError(ZkErrorCode.InvalidAcl, null)
            : connection.Call(path, zk => zk.SetAclAsync(path, acl, version));
}

/// <summary>
/// <c>addauth scheme auth</c>: adds an identity to the session; prints nothing. A refusal
/// (an unknown scheme, a missing identity) ends the session as ZooKeeper does: see <see cref="Connection"/>.
/// </summary>
internal sealed class AddAuthCommand() : CliCommand("addauth", "scheme auth")
{
    private static readonly OptionSpec Options = new();

    public override async Task ExecuteAsync(CommandContext context, string[] words)
    {
        var parsed = Parse(Options, words, minArgs: 2);
        var scheme = parsed.Args[1];
        // zkCli sends a missing identity as null, which ZooKeeper refuses.
        var auth = parsed.Args.Count > 2 ? System.Text.Encoding.UTF8.GetBytes(parsed.Args[2]) : null;
        try
        {
            if (auth == null) throw new KeeperError(ZkErrorCode.AuthFailed, null);
            await context.Connection.Call(null, zk => zk.AddAuthAsync(scheme, auth));
        }
        catch (KeeperError e) when (e.Code is ZkErrorCode.AuthFailed or ZkErrorCode.BadArguments)
        {
            await context.Connection.RefuseAuthAsync();
        }
    }
}
