using OrleansZk.Cli.Parsing;
using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.Cli.Commands;

/// <summary>What a command runs with: the live session and the two output streams.</summary>
internal sealed class CommandContext(Connection connection, TextWriter output, TextWriter error)
{
    public Connection Connection { get; } = connection;

    /// <summary>Standard output: what the command answers (data, listings, stats).</summary>
    public TextWriter Out { get; } = output;

    /// <summary>Standard error: zkCli's notices ("Created /a") and errors.</summary>
    public TextWriter Err { get; } = error;
}

/// <summary>
/// One zkCli command that works on the session (zkCli's <c>CliCommand</c>): its name, the option
/// summary of its usage line, and how it runs. Failures are thrown as <see cref="CliException"/>
/// (printed by the shell) or <see cref="KeeperError"/> (printed as zkCli words it).
/// </summary>
internal abstract class CliCommand(string name, string optionUsage)
{
    public string Name { get; } = name;

    /// <summary>What follows the name in its usage line, e.g. "[-s] [-R] path".</summary>
    public string OptionUsage { get; } = optionUsage;

    /// <summary>The usage line zkCli prints when the command is given too few words.</summary>
    public string Usage => Name + " " + OptionUsage;

    /// <summary>
    /// Whether the usage listing names it. Commands zkCli lacks stay out, so the listing stays the
    /// one zkCli prints.
    /// </summary>
    public virtual bool Listed => true;

    /// <summary>Runs the command; <paramref name="words"/> are the line's words, the command name first.</summary>
    public abstract Task ExecuteAsync(CommandContext context, string[] words);

    /// <summary>Parses the words and insists on at least <paramref name="minArgs"/> non-option words (the name included), else the usage line.</summary>
    protected ParsedArgs Parse(OptionSpec options, IReadOnlyList<string> words, int minArgs)
    {
        var parsed = OptionParser.Parse(options, words);
        if (parsed.Args.Count < minArgs) throw new CliException(Usage);
        return parsed;
    }

    /// <summary>The Java client's path check, made before anything is sent; zkCli prints its message as it is.</summary>
    protected static void ValidatePath(string path, bool sequential = false)
    {
        if (ZkPath.Check(path, sequential) is { } reason) throw new CliException(reason);
    }

    /// <summary>The version option (-v), which zkCli parses without a guard; -1 (any) when absent.</summary>
    protected static int Version(ParsedArgs parsed) =>
        parsed.Value('v') is { } text ? JavaNumbers.ParseIntOrCrash(text) : -1;

    /// <summary>The shell's watcher when the command was given -w, else null (no watch).</summary>
    protected static Action<WatchedEvent>? Watcher(CommandContext context, ParsedArgs parsed) =>
        parsed.Has('w') ? context.Connection.Watcher : null;

    /// <summary>
    /// zkCli 3.4's form "cmd path watch" (any third word): zkCli warns, turns the third word into
    /// -w and parses again, so the command sets a watch.
    /// </summary>
    protected ParsedArgs RetainWatchCompatibility(OptionSpec options, string[] words, ParsedArgs parsed, string modernForm, TextWriter error)
    {
        if (parsed.Args.Count <= 2) return parsed;
        error.WriteLine($"'{Name} path [watch]' has been deprecated. Please use '{modernForm}' instead.");
        // zkCli rewrites the third word of the line, whatever it is (in "ls -s / x" that is "/").
        words[2] = "-w";
        return OptionParser.Parse(options, words);
    }
}
