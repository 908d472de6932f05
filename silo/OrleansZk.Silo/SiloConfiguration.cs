using Microsoft.Extensions.Configuration;

namespace OrleansZk.Silo;

/// <summary>
/// Where the silo's settings come from, later sources overriding earlier ones key by key:
/// <list type="number">
/// <item><c>appsettings.json</c> beside the executable (the repository's file, copied there by the build);</item>
/// <item><c>appsettings.json</c> in the working directory, if there is one and it is another file
/// (so <c>dotnet run</c> from the repository root picks up edits without a rebuild);</item>
/// <item>environment variables (<c>OrleansZk__GatewayPort=30001</c>);</item>
/// <item>command-line arguments (<c>--OrleansZk:GatewayPort=30001</c>).</item>
/// </list>
/// </summary>
internal static class SiloConfiguration
{
    public const string FileName = "appsettings.json";

    /// <summary>Builds the configuration; throws <see cref="InvalidDataException"/> for a file that is not
    /// JSON and <see cref="FormatException"/> for malformed arguments (both name the culprit).</summary>
    public static ConfigurationManager Load(string[] args, string baseDirectory, string workingDirectory)
    {
        var configuration = new ConfigurationManager();
        var shipped = Path.GetFullPath(Path.Combine(baseDirectory, FileName));
        var local = Path.GetFullPath(Path.Combine(workingDirectory, FileName));
        configuration.AddJsonFile(shipped, optional: true, reloadOnChange: false);
        if (!string.Equals(shipped, local, StringComparison.Ordinal))
            configuration.AddJsonFile(local, optional: true, reloadOnChange: false);
        configuration.AddEnvironmentVariables();
        configuration.AddCommandLine(args);
        return configuration;
    }
}
