using System.Globalization;
using OrleansZk.Core;

namespace OrleansZk.Cli.Commands;

/// <summary>
/// <c>ls --page N [--after name] [-s] [-w] path</c>, the shell's own extension of zkCli's <c>ls</c>
/// (not in zkCli, so neither in the usage listing nor in <c>ls -?</c>, which stay zkCli's): one page
/// of N children (1..<see cref="GetChildrenPageRequest.MaxPageSize"/>) in ordinal order, those after
/// <c>name</c> when given. The page prints as <c>ls</c> prints children; when more follow, the command
/// for the next page goes to standard error (<c>Next page: ls --page N --after last path</c>), so
/// standard output holds only the listing. zkCli's long options never reach here: it refuses every
/// word starting with <c>--</c> (<c>ls --long /</c>), as this shell still does for any but these two.
/// </summary>
internal sealed record LsPaging(int PageSize, string? After)
{
    public const string PageFlag = "--page", AfterFlag = "--after";

    /// <summary>
    /// Takes <c>--page N</c> and <c>--after name</c> out of <paramref name="words"/> (before a <c>--</c>,
    /// which ends the options); null when there is no <c>--page</c>. A missing or bad value, or
    /// <c>--after</c> without <c>--page</c>, is a <see cref="CliException"/> naming the flag.
    /// </summary>
    public static LsPaging? Extract(ref string[] words)
    {
        string? size = null, after = null;
        bool hasSize = false, hasAfter = false;
        var rest = new List<string>(words.Length);
        for (var i = 0; i < words.Length; i++)
        {
            var word = words[i];
            if (word == "--")
            {
                rest.AddRange(words[i..]);
                break;
            }
            if (word is not (PageFlag or AfterFlag))
            {
                rest.Add(word);
                continue;
            }
            if (i + 1 >= words.Length) throw new CliException($"{word} needs a value");
            if (word == PageFlag) (size, hasSize) = (words[++i], true);
            else (after, hasAfter) = (words[++i], true);
        }
        if (!hasSize)
        {
            if (hasAfter) throw new CliException($"{AfterFlag} needs {PageFlag}");
            return null;
        }
        words = [.. rest];
        if (!int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var pageSize) || pageSize is < 1 or > GetChildrenPageRequest.MaxPageSize)
            throw new CliException($"{PageFlag} takes a page size from 1 to {GetChildrenPageRequest.MaxPageSize}, not \"{size}\"");
        try
        {
            GetChildrenPageRequest.ValidateArguments("/", pageSize, after);
        }
        catch (ZkException e)
        {
            throw new CliException($"{AfterFlag}: {e.Detail}");
        }
        return new LsPaging(pageSize, after);
    }

    /// <summary>Prints one page (and, with <paramref name="stat"/>, the node's stat); tells the next page's command on standard error.</summary>
    public async Task ListAsync(CommandContext context, string path, Action<OrleansZk.Client.WatchedEvent>? watcher, bool stat)
    {
        var page = await context.Connection.Call(path, zk => zk.GetChildrenPageAsync(path, PageSize, After, watcher));
        context.Out.WriteLine("[" + string.Join(", ", page.Children) + "]");
        if (stat) Output.StatPrinter.Print(context.Out, page.Stat);
        if (page.Continuation is { } next)
            context.Err.WriteLine($"Next page: ls {PageFlag} {PageSize} {AfterFlag} {Quote(next)} {path}");
    }

    /// <summary>A name as one word of a shell line: bare, or in the quotes it does not contain when it holds blanks or starts with a quote.</summary>
    internal static string Quote(string name)
    {
        var needs = name.Any(char.IsWhiteSpace) || name[0] is '"' or '\'';
        if (!needs) return name;
        return name.Contains('\'') ? "\"" + name + "\"" : "'" + name + "'";
    }
}
