using OrleansZk.Testing.Installs;

namespace OrleansZk.Wire.Tests;

/// <summary>What AFL saved: a crash (the target threw an untyped exception or died) or a hang (it ran past the timeout).</summary>
public sealed record AflFinding(string Kind, string File, byte[] Input);

/// <summary>
/// The end of one afl-fuzz run: its exit code, its log, its fuzzer_stats, the inputs it saved, and
/// how many of the run's processes were still there after afl-fuzz exited (and were killed).
/// </summary>
public sealed record AflResult(int ExitCode, string Log, IReadOnlyDictionary<string, string> Stats, IReadOnlyList<AflFinding> Findings, int Leftovers)
{
    /// <summary>A number of fuzzer_stats (execs_done, corpus_found, …), or -1 when it is not there.</summary>
    public double Stat(string name) =>
        Stats.TryGetValue(name, out var text) && double.TryParse(text.TrimEnd('%'), System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : -1;

    public string Summary =>
        $"afl-fuzz exit {ExitCode}: {Stat("execs_done")} execs in {Stat("run_time")} s ({Stat("execs_per_sec")}/s), " +
        $"{Stat("corpus_count")} corpus items ({Stat("corpus_found")} found), map {Stats.GetValueOrDefault("bitmap_cvg", "?")}, " +
        $"{Stat("saved_crashes")} crashes, {Stat("saved_hangs")} hangs, {Leftovers} processes left";
}

/// <summary>
/// One bounded afl-fuzz run of the frame decoder's fuzz target (tests/OrleansZk.Wire.Fuzz) in a
/// temporary directory: a copy of this suite's build output (it holds the target's program), whose
/// OrleansZk.Wire.dll SharpFuzz's <c>sharpfuzz</c> tool (pinned by dotnet-tools.json) instruments,
/// and a seed corpus. One afl-fuzz instance, so one core, at nice 10. The directory is deleted on dispose unless
/// AFL saved something (then <see cref="WorkDirectory"/> holds its findings).
/// </summary>
public sealed class AflRun : IDisposable
{
    /// <summary>An input running longer than this is a hang (the target takes well under a millisecond).</summary>
    public const int TimeoutMs = 5000;

    private readonly string _bin;
    private readonly string _corpus;
    private readonly string _findings;
    private bool _keep;

    private AflRun(string directory)
    {
        WorkDirectory = directory;
        _bin = Path.Combine(directory, "bin");
        _corpus = Path.Combine(directory, "corpus");
        _findings = Path.Combine(directory, "findings");
    }

    /// <summary>The run's directory: bin (the instrumented target), corpus (the seeds), findings (AFL's output).</summary>
    public string WorkDirectory { get; }

    /// <summary>Copies the target, instruments OrleansZk.Wire.dll in the copy and writes <paramref name="seeds"/> as the corpus.</summary>
    public static async Task<AflRun> PrepareAsync(IEnumerable<(string Name, byte[] Bytes)> seeds)
    {
        var run = new AflRun(Directory.CreateTempSubdirectory("orleanszk-afl-").FullName);
        try
        {
            Copy(AppContext.BaseDirectory, run._bin);
            Directory.CreateDirectory(run._corpus);
            foreach (var (name, bytes) in seeds) await File.WriteAllBytesAsync(Path.Combine(run._corpus, name), bytes);
            // The tool manifest (dotnet-tools.json, copied from the fuzz project) sits in bin.
            await run.DotnetAsync(["tool", "restore"]);
            await run.DotnetAsync(["tool", "run", "sharpfuzz", Path.Combine(run._bin, "OrleansZk.Wire.dll")]);
            return run;
        }
        catch
        {
            run.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs afl-fuzz for <paramref name="duration"/> (<c>-V</c>; it stops early at its first crash) and
    /// returns what it saved. When this returns, no process started for the run is left.
    /// </summary>
    public async Task<AflResult> FuzzAsync(TimeSpan duration)
    {
        var aflFuzz = AflInstall.AflFuzz ?? throw new InvalidOperationException("afl-fuzz is not on PATH");
        var dotnet = Command.FindOnPath("dotnet") ?? throw new InvalidOperationException("dotnet is not on PATH");
        // Below the other tests' priority: the suite's timing-sensitive tests run beside it on two cores.
        string[] command =
        [
            "nice", "-n", "10", aflFuzz, "-i", _corpus, "-o", _findings, "-t", TimeoutMs.ToString(), "-V", ((int)duration.TotalSeconds).ToString(),
            "--", dotnet, Path.Combine(_bin, "OrleansZk.Wire.Fuzz.dll"),
        ];
        var (exit, log) = await Command.RunAsync(command, duration + TimeSpan.FromMinutes(3),
            ("AFL_NO_UI", "1"),
            ("AFL_SKIP_BIN_CHECK", "1"), // the target is dotnet; the instrumentation is in OrleansZk.Wire.dll
            ("AFL_SKIP_CPUFREQ", "1"),
            ("AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES", "1"), // core_pattern may pipe to a handler: crashes are exceptions here
            ("AFL_TRY_AFFINITY", "1"), // bind to a free core if there is one, run anyway if not
            ("AFL_FORKSRV_INIT_TMOUT", "60000"), // dotnet starting on a loaded machine
            ("AFL_BENCH_UNTIL_CRASH", "1"));
        var leftovers = await ReapAsync();
        var findings = Findings("crashes", "crash").Concat(Findings("hangs", "hang")).ToList();
        _keep = findings.Count > 0;
        return new AflResult(exit, log, Stats(), findings, leftovers);
    }

    public void Dispose()
    {
        if (!_keep) Directory.Delete(WorkDirectory, recursive: true);
    }

    /// <summary>Runs dotnet in bin, where the tool manifest is.</summary>
    private async Task DotnetAsync(string[] args)
    {
        var (code, output) = await Command.RunInAsync(_bin, ["dotnet", .. args], TimeSpan.FromMinutes(3), ("DOTNET_CLI_TELEMETRY_OPTOUT", "1"));
        if (code != 0) throw new InvalidOperationException($"`dotnet {string.Join(' ', args)}` exited with {code}:\n{output}");
    }

    /// <summary>
    /// afl-fuzz kills its fork server (SharpFuzz's dotnet parent) on exit, and SharpFuzz's child exits
    /// once it sees its parent gone. Waits for that; kills what is still there after the deadline and
    /// returns how many that was.
    /// </summary>
    private async Task<int> ReapAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Ours().Count > 0 && DateTime.UtcNow < deadline) await Task.Delay(Poll.Interval);
        var left = Ours();
        foreach (var pid in left)
        {
            try
            {
                System.Diagnostics.Process.GetProcessById(pid).Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // It exited meanwhile.
            }
        }
        return left.Count;
    }

    /// <summary>The processes whose command line names this run's directory.</summary>
    private List<int> Ours()
    {
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(WorkDirectory, StringComparison.Ordinal)) pids.Add(pid);
            }
            catch (IOException)
            {
                // It exited while being read.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return pids;
    }

    private IEnumerable<AflFinding> Findings(string folder, string kind)
    {
        var dir = Path.Combine(_findings, "default", folder);
        if (!Directory.Exists(dir)) return [];
        return Directory.EnumerateFiles(dir).Where(f => Path.GetFileName(f) != "README.txt").Order()
            .Select(f => new AflFinding(kind, f, File.ReadAllBytes(f)));
    }

    private Dictionary<string, string> Stats()
    {
        var file = Path.Combine(_findings, "default", "fuzzer_stats");
        if (!File.Exists(file)) return [];
        return File.ReadLines(file).Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim());
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in Directory.EnumerateDirectories(from)) Copy(dir, Path.Combine(to, Path.GetFileName(dir)));
    }
}
