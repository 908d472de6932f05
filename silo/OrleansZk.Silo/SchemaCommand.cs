using OrleansZk.Database;
using OrleansZk.Grains;

namespace OrleansZk.Silo;

/// <summary>
/// <c>OrleansZk.Silo schema apply|status [settings...]</c>: for operators who forbid DDL at silo
/// start (<c>OrleansZk:Database:ApplySchema=false</c>), applies the schema scripts to the database
/// the settings name, or prints its version. Settings are read exactly as for a silo; the
/// clustering must be AdoNet. Exit codes: 0 done, 1 database unreachable or refused, 2 bad
/// settings or usage.
/// </summary>
internal static class SchemaCommand
{
    public const string Name = "schema";

    public static async Task<int> RunAsync(string[] args)
    {
        var verb = args.Length > 0 ? args[0] : "";
        if (verb is not ("apply" or "status"))
        {
            Console.Error.WriteLine("usage: OrleansZk.Silo schema apply|status [--OrleansZk:Database:ConnectionString=...] (settings as for the silo)");
            return SiloHost.ExitBadSettings;
        }
        var (options, _, exit) = SiloHost.LoadSettings(args[1..]);
        if (options is null) return exit;
        if (options.Clustering != ZkClustering.AdoNet)
        {
            Console.Error.WriteLine($"{ZkServiceOptions.SectionName}:Clustering must be AdoNet for the schema commands, not {options.Clustering}");
            return SiloHost.ExitBadSettings;
        }

        var database = options.Database.Resolve(options.DataDir);
        try
        {
            if (verb == "apply")
            {
                var change = await SchemaMigrator.ApplyAsync(database);
                Console.Out.WriteLine(change.Changed
                    ? $"schema version {change.FromVersion} -> {change.ToVersion}: {database.Describe()}"
                    : $"schema version {change.ToVersion} (current, nothing to do): {database.Describe()}");
            }
            else
            {
                var version = await SchemaMigrator.ReadVersionAsync(database);
                var state = version == SchemaScripts.CurrentVersion ? "current" : $"this build needs {SchemaScripts.CurrentVersion}";
                Console.Out.WriteLine($"schema version {version} ({state}): {database.Describe()}");
            }
            return 0;
        }
        catch (ZkDatabaseException e)
        {
            Console.Error.WriteLine(e.Message.ReplaceLineEndings(" "));
            return SiloHost.ExitStartFailed;
        }
    }
}
