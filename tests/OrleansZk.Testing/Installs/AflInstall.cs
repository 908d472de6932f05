namespace OrleansZk.Testing.Installs;

/// <summary>
/// AFL++ (<c>afl-fuzz</c>) from Debian's <c>afl++</c> package (4.04c on bookworm; it brings clang),
/// installed when missing.
/// </summary>
public static class AflInstall
{
    /// <summary>Installs afl++ when <c>afl-fuzz</c> is not on PATH. <paramref name="suite"/> names the suite in the error.</summary>
    public static Task EnsureAsync(string suite) => DebianPackages.EnsureAsync(
        suite, new DebianPackages.Need("afl++", () => Task.FromResult(AflFuzz != null)));

    /// <summary>The full path of afl-fuzz, or null when it is not on PATH.</summary>
    public static string? AflFuzz => Command.FindOnPath("afl-fuzz");
}
