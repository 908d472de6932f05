namespace OrleansZk.Testing.Installs;

/// <summary>
/// kazoo, the Python ZooKeeper client, as Debian's <c>python3-kazoo</c> (2.8.0 on bookworm) under the
/// system's Python (<see cref="Python"/>, not a pyenv or virtualenv one), installed when missing.
/// </summary>
public static class KazooInstall
{
    /// <summary>The interpreter Debian's python3-* packages install into.</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>Installs python3-kazoo when <see cref="Python"/> cannot import kazoo. <paramref name="suite"/> names the suite in the error.</summary>
    public static Task EnsureAsync(string suite) => DebianPackages.EnsureAsync(
        suite, new DebianPackages.Need("python3-kazoo", CanImportAsync));

    private static async Task<bool> CanImportAsync()
    {
        if (!File.Exists(Python)) return false;
        var (code, _) = await Command.RunAsync([Python, "-c", "import kazoo.client"], TimeSpan.FromMinutes(1));
        return code == 0;
    }
}
