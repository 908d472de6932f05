namespace OrleansZk.Testing.Transcripts;

/// <summary>
/// One recorded zkCli run (tests/OrleansZk.Cli.Tests/Transcripts/NAME.*, written by its
/// recorder/record.sh): the script fed on standard input, an optional command given on the command
/// line instead, and what ZooKeeper 3.8's zkCli printed on standard output and standard error, and
/// its exit code. A suite that uses them copies them into a Transcripts folder of its output.
/// <see cref="Race"/> is the other outcome zkCli itself gives the same script when two of its
/// threads race (NAME.race.*, recorded with the script held back where NAME.race says).
/// </summary>
public sealed record Transcript(string Name, string Script, IReadOnlyList<string>? CommandLine, string Stdout, string Stderr, int ExitCode, Transcript.Outcome? Race)
{
    /// <summary>What zkCli printed and its exit code.</summary>
    public sealed record Outcome(string Stdout, string Stderr, int ExitCode);

    /// <summary>The recorded outcome (<see cref="Stdout"/>, <see cref="Stderr"/>, <see cref="ExitCode"/>).</summary>
    public Outcome Recorded => new(Stdout, Stderr, ExitCode);

    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Transcripts");

    /// <summary>Every recorded transcript's name, in order.</summary>
    public static IEnumerable<string> Names() =>
        Directory.GetFiles(Folder, "*.zk").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal);

    public static Transcript Load(string name)
    {
        string Read(string extension) => File.ReadAllText(Path.Combine(Folder, name + extension));
        var args = Path.Combine(Folder, name + ".args");
        int Code(string extension) => int.Parse(Read(extension).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        return new Transcript(
            name,
            Read(".zk"),
            File.Exists(args) ? File.ReadAllText(args).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : null,
            Read(".out"),
            Read(".err"),
            Code(".rc"),
            File.Exists(Path.Combine(Folder, name + ".race.out")) ? new Outcome(Read(".race.out"), Read(".race.err"), Code(".race.rc")) : null);
    }
}
