namespace OrleansZk.Testing.Installs;

/// <summary>
/// Installs Debian packages a test suite needs when they are missing, with apt-get (as root, or
/// through <c>sudo -n</c>). When that is impossible it throws with what to install: a suite that
/// needs a real ZooKeeper or a real client fails loudly rather than skipping in silence.
/// </summary>
public static class DebianPackages
{
    private static readonly SemaphoreSlim Once = new(1, 1);

    /// <summary>What a suite needs: a package, and how to tell it is there.</summary>
    public sealed record Need(string Package, Func<Task<bool>> IsPresentAsync);

    /// <summary>
    /// Installs the packages of <paramref name="needs"/> that are not present (one apt-get run for all
    /// of them; one installation at a time in this process) and checks that they are present afterwards.
    /// <paramref name="suite"/> names the suite in the error ("THE ... CANNOT RUN").
    /// </summary>
    public static async Task EnsureAsync(string suite, params Need[] needs)
    {
        await Once.WaitAsync();
        try
        {
            var missing = new List<Need>();
            foreach (var need in needs)
                if (!await need.IsPresentAsync()) missing.Add(need);
            if (missing.Count == 0) return;
            var packages = missing.Select(n => n.Package).ToList();
            if (Command.FindOnPath("apt-get") == null)
                throw Missing(suite, packages, "apt-get is not available on this machine");
            var asRoot = await IsRootAsync();
            if (!asRoot && Command.FindOnPath("sudo") == null)
                throw Missing(suite, packages, "not root, and no sudo");
            string[] prefix = asRoot ? [] : ["sudo", "-n"];
            await AptAsync(suite, packages, prefix, ["update"]);
            await AptAsync(suite, packages, prefix, ["-o", "DPkg::Lock::Timeout=300", "install", "-y", .. packages]);
            foreach (var need in missing)
                if (!await need.IsPresentAsync())
                    throw Missing(suite, packages, $"apt-get finished, but {need.Package} is still missing");
        }
        finally
        {
            Once.Release();
        }
    }

    private static async Task AptAsync(string suite, List<string> packages, string[] prefix, string[] args)
    {
        string[] command = [.. prefix, "apt-get", "-q", .. args];
        var (code, output) = await Command.RunAsync(command, TimeSpan.FromMinutes(10), ("DEBIAN_FRONTEND", "noninteractive"));
        if (code != 0) throw Missing(suite, packages, $"`{string.Join(' ', command)}` exited with {code}:\n{Tail(output)}");
    }

    private static async Task<bool> IsRootAsync()
    {
        var (code, output) = await Command.RunAsync(["id", "-u"], TimeSpan.FromSeconds(30));
        return code == 0 && output.Trim() == "0";
    }

    private static InvalidOperationException Missing(string suite, List<string> packages, string why) => new(
        $"THE {suite} CANNOT RUN: it needs Debian's packages {string.Join(", ", packages)} " +
        $"and could not install them: {why}. Install them with " +
        $"`apt-get update && apt-get install -y {string.Join(' ', packages)}` and run the tests again.");

    private static string Tail(string text) => text.Length <= 2000 ? text : "…" + text[^2000..];
}
