namespace OrleansZk.Cli.Commands;

/// <summary>
/// The commands that work on a session, by name (zkCli's CommandFactory). The shell adds its own
/// (connect, printwatches, quit, help).
/// </summary>
internal static class CommandTable
{
    public static IReadOnlyDictionary<string, CliCommand> Create() =>
        new CliCommand[]
        {
            new AddAuthCommand(),
            new AddWatchCommand(),
            new CloseCommand(),
            new CreateCommand(),
            new DeleteCommand(),
            new DeleteAllCommand(),
            new GetCommand(),
            new GetAclCommand(),
            new GetAllChildrenNumberCommand(),
            new LsCommand(),
            new RemoveWatchesCommand(),
            new SetCommand(),
            new SetAclCommand(),
            new StatCommand(),
            new SrvrCommand(),
            new SyncCommand(),
        }.ToDictionary(c => c.Name, StringComparer.Ordinal);
}
