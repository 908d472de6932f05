using System.Diagnostics;
using System.Text;

namespace OrleansZk.Testing;

/// <summary>
/// Makes sure Debian's <c>zookeeper</c> package (Apache ZooKeeper 3.8, its jars under
/// /usr/share/java) and a Java compiler — and, for <see cref="EnsureKazooAsync"/>, Debian's
/// <c>python3-kazoo</c> under /usr/bin/python3 — are on this machine, installing them with apt-get
/// when they are missing (as root, or through <c>sudo -n</c>). When that is impossible it throws
/// with what to do: the tests that need them fail loudly rather than skipping in silence.
/// </summary>
public static class ZooKeeperInstall
{
    /// <summary>The Python that has Debian's python3-kazoo (not a pyenv one on the PATH).</summary>
    public const string Python = "/usr/bin/python3";
    public const string JarDirectory = "/usr/share/java";

    private static readonly SemaphoreSlim Once = new(1, 1);

    /// <summary>The classpath of ZooKeeper's server and Java client (the jar's manifest brings jute, netty, slf4j-api).</summary>
    public static string ClassPath
    {
        get
        {
            var jars = new List<string> { Path.Combine(JarDirectory, "zookeeper.jar"), Path.Combine(JarDirectory, "zookeeper-jute.jar") };
            var nop = Path.Combine(JarDirectory, "slf4j-nop.jar");
            if (File.Exists(nop)) jars.Add(nop);
            return string.Join(':', jars);
        }
    }

    /// <summary>Installs what is missing; returns once zookeeper.jar and javac are there.</summary>
    public static Task EnsureAsync() => EnsurePackagesAsync(kazoo: false);

    /// <summary>Installs what is missing; returns once zookeeper.jar, javac and kazoo (for <see cref="Python"/>) are there.</summary>
    public static Task EnsureKazooAsync() => EnsurePackagesAsync(kazoo: true);

    private static bool HasKazoo() => File.Exists(Python) && Directory.Exists("/usr/lib/python3/dist-packages/kazoo");

    private static async Task EnsurePackagesAsync(bool kazoo)
    {
        await Once.WaitAsync();
        try
        {
            var packages = new List<string>();
            if (!File.Exists(Path.Combine(JarDirectory, "zookeeper.jar"))) packages.Add("zookeeper");
            if (FindOnPath("javac") == null) packages.Add("default-jdk-headless");
            if (kazoo && !HasKazoo()) packages.Add("python3-kazoo");
            if (packages.Count == 0) return;
            if (FindOnPath("apt-get") == null)
                throw Missing(packages, "apt-get is not available on this machine");
            var asRoot = await IsRootAsync();
            if (!asRoot && FindOnPath("sudo") == null)
                throw Missing(packages, "not root, and no sudo");
            string[] prefix = asRoot ? [] : ["sudo", "-n"];
            await AptAsync(packages, prefix, ["update"]);
            await AptAsync(packages, prefix, ["-o", "DPkg::Lock::Timeout=300", "install", "-y", .. packages]);
            if (!File.Exists(Path.Combine(JarDirectory, "zookeeper.jar")) || FindOnPath("javac") == null || (kazoo && !HasKazoo()))
                throw Missing(packages, "apt-get finished, but zookeeper.jar, javac or kazoo is still missing");
        }
        finally
        {
            Once.Release();
        }
    }

    private static async Task AptAsync(List<string> packages, string[] prefix, string[] args)
    {
        string[] command = [.. prefix, "apt-get", "-q", .. args];
        var (code, output) = await RunAsync(command, TimeSpan.FromMinutes(10), ("DEBIAN_FRONTEND", "noninteractive"));
        if (code != 0) throw Missing(packages, $"`{string.Join(' ', command)}` exited with {code}:\n{Tail(output)}");
    }

    private static async Task<bool> IsRootAsync()
    {
        var (code, output) = await RunAsync(["id", "-u"], TimeSpan.FromSeconds(30));
        return code == 0 && output.Trim() == "0";
    }

    private static InvalidOperationException Missing(List<string> packages, string why) => new(
        $"THESE TESTS CANNOT RUN: they need Debian's packages {string.Join(", ", packages)} " +
        $"(ZooKeeper 3.8, a JDK, kazoo) and could not install them: {why}. Install them with " +
        $"`apt-get update && apt-get install -y {string.Join(' ', packages)}` and run the tests again.");

    /// <summary>Runs a command to completion; stdout and stderr together. Kills it after <paramref name="timeout"/>.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string[] command, TimeSpan timeout, params (string Name, string Value)[] environment)
    {
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in command.Skip(1)) info.ArgumentList.Add(arg);
        foreach (var (name, value) in environment) info.Environment[name] = value;
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + command[0]);
        process.StandardInput.Close();
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{string.Join(' ', command)}` did not finish within {timeout}");
        }
        output.Append(await stdout).Append(await stderr);
        return (process.ExitCode, output.ToString());
    }

    public static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    private static string Tail(string text) => text.Length <= 2000 ? text : "…" + text[^2000..];
}
