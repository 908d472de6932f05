namespace OrleansZk.Cli.Commands;

/// <summary><c>close</c>: closes the session (its ephemerals go at once); later commands print "Not connected" until <c>connect</c>.</summary>
internal sealed class CloseCommand() : CliCommand("close", "")
{
    public override Task ExecuteAsync(CommandContext context, string[] words) => context.Connection.CloseAsync();
}
