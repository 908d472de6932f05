using OrleansZk.Client;

namespace OrleansZk.Cli;

/// <summary>How the shell was started (zkCli's command-line options).</summary>
public sealed record ShellOptions
{
    /// <summary>The connect string of the first session: "host:port[,host:port...]" (the Orleans gateways).</summary>
    public string Server { get; init; } = "localhost:30000";

    /// <summary>The session timeout to ask for, in milliseconds (-timeout).</summary>
    public int SessionTimeoutMs { get; init; } = 30_000;

    /// <summary>A command given on the command line: it runs alone and the shell exits (standard input is not read).</summary>
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>Whether a person is typing: prompts are printed, and a failed first connection leaves the shell open for <c>connect</c>.</summary>
    public bool Interactive { get; init; }

    /// <summary>The SDK options of the shell's sessions (-timeout).</summary>
    public ZkClientOptions ClientOptions() => new() { SessionTimeoutMs = SessionTimeoutMs };

    /// <summary>
    /// zkCli's <c>parseOptions</c>: -server, -timeout, -r, -client-configuration and
    /// -waitforconnection; the first word not starting with '-' starts the command, which takes the
    /// rest. Unknown options are skipped; an option missing its value ends the parsing, with
    /// zkCli's message. -r (read-only), -client-configuration and -waitforconnection are accepted
    /// and ignored: there is no read-only mode and no client configuration file, and the shell
    /// always waits for its session.
    /// </summary>
    public static ShellOptions Parse(IReadOnlyList<string> args, bool interactive, TextWriter error)
    {
        var options = new ShellOptions { Interactive = interactive };
        for (var i = 0; i < args.Count; i++)
        {
            var opt = args[i];
            if (opt is "-server" or "-timeout" or "-client-configuration")
            {
                if (++i == args.Count)
                {
                    error.WriteLine("Error: no argument found for option " + opt);
                    return options;
                }
                options = opt switch
                {
                    "-server" => options with { Server = args[i] },
                    "-timeout" => options with { SessionTimeoutMs = Parsing.JavaNumbers.ParseIntOrCrash(args[i]) },
                    _ => options,
                };
            }
            else if (!opt.StartsWith('-'))
            {
                return options with { Command = [.. args.Skip(i)] };
            }
        }
        return options;
    }
}
