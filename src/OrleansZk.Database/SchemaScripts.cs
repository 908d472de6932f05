using System.Reflection;
using System.Text.RegularExpressions;

namespace OrleansZk.Database;

/// <summary>One step of the schema: the script that takes a database from <c>Version - 1</c> to <see cref="Version"/>.</summary>
public sealed record SchemaScript(int Version, string Name, string Sql);

/// <summary>
/// The schema scripts shipped in this assembly (<c>Sql/&lt;dialect&gt;/NNNN-name.sql</c>, embedded):
/// for each dialect a gap-free sequence 1, 2, ..., <see cref="CurrentVersion"/>.
/// </summary>
public static partial class SchemaScripts
{
    private static readonly Lazy<IReadOnlyDictionary<ZkDatabaseKind, IReadOnlyList<SchemaScript>>> All = new(Load);

    /// <summary>The schema version this build writes and expects: the highest script number.</summary>
    public static int CurrentVersion => For(ZkDatabaseKind.Sqlite)[^1].Version;

    /// <summary>The scripts of one dialect, in version order.</summary>
    public static IReadOnlyList<SchemaScript> For(ZkDatabaseKind kind) => All.Value[kind];

    private static IReadOnlyDictionary<ZkDatabaseKind, IReadOnlyList<SchemaScript>> Load()
    {
        var assembly = typeof(SchemaScripts).Assembly;
        var result = new Dictionary<ZkDatabaseKind, IReadOnlyList<SchemaScript>>();
        foreach (var kind in Enum.GetValues<ZkDatabaseKind>())
        {
            var prefix = $"OrleansZk.Database.Sql.{kind}.";
            var scripts = assembly.GetManifestResourceNames()
                .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
                .Select(n => Read(assembly, n, n[prefix.Length..]))
                .OrderBy(s => s.Version)
                .ToList();
            for (var i = 0; i < scripts.Count; i++)
            {
                if (scripts[i].Version != i + 1)
                    throw new InvalidOperationException($"the {kind} schema scripts are not numbered 1, 2, ...: found {scripts[i].Name} at position {i + 1}");
            }
            result[kind] = scripts;
        }
        if (result.Values.Select(s => s.Count).Distinct().Count() != 1 || result.Values.First().Count == 0)
            throw new InvalidOperationException("every dialect must have the same schema versions");
        return result;
    }

    private static SchemaScript Read(Assembly assembly, string resource, string fileName)
    {
        var match = ScriptName().Match(fileName);
        if (!match.Success) throw new InvalidOperationException($"schema script {fileName} is not named NNNN-name.sql");
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return new SchemaScript(int.Parse(match.Groups["version"].Value, System.Globalization.CultureInfo.InvariantCulture),
            match.Groups["name"].Value, reader.ReadToEnd());
    }

    [GeneratedRegex(@"^(?<version>\d{4})-(?<name>[a-z0-9-]+)\.sql$")]
    private static partial Regex ScriptName();
}
