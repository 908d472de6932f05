using System.Text;
using System.Text.Json.Nodes;
using OrleansZk.Grains;

namespace OrleansZk.Silo.Tests;

/// <summary>How the silo reads its settings: defaults, overrides, refusals, where appsettings.json is found.</summary>
public sealed class ConfigurationTests : IDisposable
{
    private readonly SiloRunner _runner = new();

    public void Dispose() => _runner.Dispose();

    [Fact]
    public async Task Default_start_prints_the_gateway_line()
    {
        // No settings at all: ./data under the working directory, gateway 30000, silo port 11111.
        var cwd = _runner.NewDirectory("cwd");
        var busy = new[] { ZkDefaults.SiloPort, ZkDefaults.GatewayPort }.Where(SiloRunner.InUse).ToList();
        var silo = _runner.Launch([], cwd);
        if (busy.Count == 0)
        {
            var ready = await silo.WaitReadyAsync();
            Assert.Equal($"OrleansZk silo 1 ready: gateway 127.0.0.1:30000, silo port 11111, client port off, data {Path.Combine(cwd, "data")}", ready.Line);
            Assert.True(Directory.Exists(Path.Combine(cwd, "data", "replica-1")), "the replica's data directory under ./data");
            Assert.Equal(0, await silo.StopAsync());
            Assert.Equal(ready.Line, silo.Stdout.Trim());
        }
        else
        {
            // Something else holds a default port on this machine: the silo must refuse, naming it.
            Assert.Equal(1, await silo.WaitExitAsync());
            Assert.Contains("already in use", silo.Stderr);
        }
    }

    [Fact]
    public async Task Environment_variables_override_the_file()
    {
        var (siloPort, gatewayPort) = SiloRunner.FreePortPair();
        var data = Path.Combine(_runner.Root, "env-data");
        var silo = _runner.Launch([], _runner.NewDirectory("cwd"), new Dictionary<string, string>
        {
            ["OrleansZk__GatewayPort"] = gatewayPort.ToString(),
            ["OrleansZk__SiloPort"] = siloPort.ToString(),
            ["OrleansZk__DataDir"] = data,
        });
        var ready = await silo.WaitReadyAsync();
        Assert.Equal($"127.0.0.1:{gatewayPort}", ready.Gateway);
        Assert.Equal(siloPort, ready.SiloPort);
        Assert.Equal(data, ready.DataDir);
        await AssertServesAsync(ready);
    }

    [Fact]
    public async Task Command_line_overrides_environment_and_file()
    {
        var (siloPort, gatewayPort) = SiloRunner.FreePortPair();
        var silo = _runner.Launch(
            [$"--OrleansZk:GatewayPort={gatewayPort}", $"--OrleansZk:SiloPort={siloPort}", "--OrleansZk:DataDir=cmd-data"],
            _runner.NewDirectory("cwd"),
            new Dictionary<string, string> { ["OrleansZk__GatewayPort"] = "1", ["OrleansZk__DataDir"] = "/nonexistent/env-data" });
        var ready = await silo.WaitReadyAsync();
        Assert.Equal($"127.0.0.1:{gatewayPort}", ready.Gateway);
        // A relative DataDir is relative to the working directory.
        Assert.Equal(Path.Combine(_runner.Root, "cwd", "cmd-data"), ready.DataDir);
        await AssertServesAsync(ready);
    }

    [Theory]
    [InlineData("--OrleansZk:Partitions=48", "OrleansZk:Partitions", "power of two")]
    [InlineData("--OrleansZk:GatewayPort=0", "OrleansZk:GatewayPort", "port")]
    [InlineData("--OrleansZk:Partitions=abc", "OrleansZk:Partitions", "'abc'")]
    [InlineData("--OrleansZk:Partitons=32", "OrleansZk:Partitons", "did you mean OrleansZk:Partitions")]
    [InlineData("--OrleansZk:ForceSync=sometimes", "OrleansZk:ForceSync", "true or false")]
    [InlineData("--OrleansZk:MaxDataBytes=99999999999", "OrleansZk:MaxDataBytes", "whole number")]
    [InlineData("--OrleansZk:DataDir:Sub=x", "OrleansZk:DataDir", "single value")]
    [InlineData("--Logging:LogLevel:Default=Verbose", "Logging:LogLevel:Default", "not 'Verbose'")]
    [InlineData("--OrleansZk:Ensemble=1,2", "OrleansZk:Ensemble", "1, 3, 5 or 7 replica ids")]
    [InlineData("--OrleansZk:Ensemble=1,2,2", "OrleansZk:Ensemble", "distinct ids")]
    [InlineData("--OrleansZk:Ensemble=1,2,x", "OrleansZk:Ensemble", "comma-separated list")]
    [InlineData("--OrleansZk:Ensemble=2,3,4", "OrleansZk:ReplicaId", "0 or one of the ensemble's ids (2,3,4)")]
    [InlineData("--OrleansZk:ClientPort=70000", "OrleansZk:ClientPort", "0 (off) or a port from 1 to 65535")]
    [InlineData("--OrleansZk:FourLetterWords=ruok,dump", "OrleansZk:FourLetterWords", "('dump')")]
    public async Task A_bad_setting_stops_start_up_naming_its_key(string arg, string key, string detail)
    {
        var silo = _runner.Launch([arg, "--OrleansZk:DataDir=unused"], _runner.NewDirectory("cwd"));
        await AssertRefusedAsync(silo, key, detail);
    }

    [Theory]
    [InlineData("--OrleansZk:Clustering=Cloud", "OrleansZk:Clustering", "Localhost or AdoNet, not 'Cloud'")]
    [InlineData("--OrleansZk:Clustering=1", "OrleansZk:Clustering", "Localhost or AdoNet")]
    [InlineData("--OrleansZk:Clustering=AdoNet --OrleansZk:Database:Invariant=MySql", "OrleansZk:Database:Invariant", "Microsoft.Data.Sqlite or Npgsql, not 'MySql'")]
    [InlineData("--OrleansZk:Clustering=AdoNet --OrleansZk:Database:Invariant=Npgsql", "OrleansZk:Database:ConnectionString", "a PostgreSQL connection string is needed")]
    [InlineData("--OrleansZk:Clustering=AdoNet --OrleansZk:Database:Invariant=Npgsql --OrleansZk:Database:ConnectionString=Host=db;Port=x", "OrleansZk:Database:ConnectionString", "does not parse")]
    [InlineData("--OrleansZk:Clustering=AdoNet --OrleansZk:Database:ConnectionStrng=x", "OrleansZk:Database:ConnectionStrng", "did you mean OrleansZk:Database:ConnectionString")]
    [InlineData("--OrleansZk:Clustering=AdoNet --OrleansZk:Database:ApplySchema=maybe", "OrleansZk:Database:ApplySchema", "true or false")]
    [InlineData("--OrleansZk:Database=sqlite", "OrleansZk:Database", "must be a section (OrleansZk:Database:Invariant")]
    [InlineData("--OrleansZk:Database:ConnectionString=/tmp/x.db", "OrleansZk:Database", "only with OrleansZk:Clustering = AdoNet")]
    [InlineData("--OrleansZk:ClusterId=a/b", "OrleansZk:ClusterId", "letters, digits")]
    [InlineData("--OrleansZk:ServiceId=", "OrleansZk:ServiceId", "letters, digits")]
    [InlineData("--OrleansZk:Address=10.1.2.3", "OrleansZk:Address", "127.0.0.1 with Clustering = Localhost")]
    [InlineData("--OrleansZk:Clustering=AdoNet --OrleansZk:Address=0.0.0.0", "OrleansZk:Address", "not 0.0.0.0")]
    public async Task A_bad_cluster_or_database_setting_stops_start_up_naming_its_key(string args, string key, string detail)
    {
        var silo = _runner.Launch([.. args.Split(' '), "--OrleansZk:DataDir=unused"], _runner.NewDirectory("cwd"));
        await AssertRefusedAsync(silo, key, detail);
    }

    [Fact]
    public async Task A_bad_environment_variable_is_named_like_any_setting()
    {
        var silo = _runner.Launch([], _runner.NewDirectory("cwd"), new Dictionary<string, string>
        {
            ["OrleansZk__SnapCount"] = "0",
            ["OrleansZk__TickTime"] = "100",
        });
        await AssertRefusedAsync(silo, "OrleansZk:SnapCount", "at least 1");
        // Every problem is reported, one line each.
        Assert.Contains("OrleansZk:TickTime is not a setting (did you mean OrleansZk:TickTimeMs?)", silo.Stderr);
        Assert.Equal(2, silo.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Appsettings_in_the_working_directory_overrides_and_is_checked()
    {
        var cwd = _runner.NewDirectory("cwd");
        var (siloPort, gatewayPort) = SiloRunner.FreePortPair();
        await File.WriteAllTextAsync(Path.Combine(cwd, "appsettings.json"),
            $$"""{ "OrleansZk": { "GatewayPort": {{gatewayPort}}, "SiloPort": {{siloPort}}, "DataDir": "local-data" } }""");
        var ready = await _runner.Launch([], cwd).WaitReadyAsync();
        Assert.Equal($"127.0.0.1:{gatewayPort}", ready.Gateway);
        Assert.Equal(Path.Combine(cwd, "local-data"), ready.DataDir);

        var typo = _runner.NewDirectory("typo");
        await File.WriteAllTextAsync(Path.Combine(typo, "appsettings.json"), """{ "OrleansZk": { "SnapCuont": 10 } }""");
        await AssertRefusedAsync(_runner.Launch([], typo), "OrleansZk:SnapCuont", "did you mean OrleansZk:SnapCount");

        var broken = _runner.NewDirectory("broken");
        await File.WriteAllTextAsync(Path.Combine(broken, "appsettings.json"), """{ "OrleansZk": { "Partitions": """);
        await AssertRefusedAsync(_runner.Launch([], broken), Path.Combine(broken, "appsettings.json"), "JSON");
    }

    [Fact]
    public async Task Started_from_another_directory_it_reads_the_appsettings_beside_the_executable()
    {
        // A copy of the build output whose appsettings.json differs from the built-in defaults in
        // the gateway port and the data directory, started from a directory without one.
        var app = _runner.NewDirectory("app");
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(SiloProcess.SiloDll)!))
            File.Copy(file, Path.Combine(app, Path.GetFileName(file)));
        var (siloPort, gatewayPort) = SiloRunner.FreePortPair();
        var settings = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(app, "appsettings.json")))!;
        settings["OrleansZk"]!["GatewayPort"] = gatewayPort;
        settings["OrleansZk"]!["DataDir"] = "file-data";
        await File.WriteAllTextAsync(Path.Combine(app, "appsettings.json"), settings.ToJsonString());

        var elsewhere = _runner.NewDirectory("elsewhere");
        var silo = _runner.Launch([$"--OrleansZk:SiloPort={siloPort}"], elsewhere, dll: Path.Combine(app, "OrleansZk.Silo.dll"));
        var ready = await silo.WaitReadyAsync();
        Assert.Equal($"127.0.0.1:{gatewayPort}", ready.Gateway);
        Assert.Equal(Path.Combine(elsewhere, "file-data"), ready.DataDir);
        await AssertServesAsync(ready);
    }

    [Fact]
    public void The_shipped_appsettings_lists_every_setting_with_its_default()
    {
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(SiloProcess.RepoRoot, "appsettings.json")))!["OrleansZk"]!.AsObject();
        var expected = Flatten(new ZkServiceOptions(), "").ToDictionary(kv => kv.Key, kv => kv.Value);
        var shipped = FlattenJson(file, "").ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal(expected.Keys.Order(), shipped.Keys.Order());
        foreach (var (key, value) in expected) Assert.Equal(value, shipped[key]);

        // The README's configuration table has a row for each.
        var readme = File.ReadAllText(Path.Combine(SiloProcess.RepoRoot, "README.md"));
        foreach (var key in expected.Keys) Assert.Contains($"| `OrleansZk:{key}` |", readme);
    }

    // Settings and their defaults as "Key" or "Section:Key" = lower-case text; nested option classes are sections.
    private static IEnumerable<KeyValuePair<string, string>> Flatten(object options, string prefix)
    {
        foreach (var setting in options.GetType().GetProperties().Where(p => p.SetMethod?.IsPublic == true))
        {
            var value = setting.GetValue(options);
            if (setting.PropertyType.IsClass && setting.PropertyType != typeof(string))
            {
                foreach (var nested in Flatten(value!, $"{prefix}{setting.Name}:")) yield return nested;
            }
            else
            {
                yield return new($"{prefix}{setting.Name}", Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!.ToLowerInvariant());
            }
        }
    }

    private static IEnumerable<KeyValuePair<string, string>> FlattenJson(JsonObject section, string prefix)
    {
        foreach (var (key, value) in section)
        {
            if (value is JsonObject nested)
            {
                foreach (var inner in FlattenJson(nested, $"{prefix}{key}:")) yield return inner;
            }
            else
            {
                yield return new($"{prefix}{key}", value!.ToString().ToLowerInvariant());
            }
        }
    }

    private static async Task AssertRefusedAsync(SiloProcess silo, string key, string detail)
    {
        Assert.Equal(2, await silo.WaitExitAsync());
        Assert.DoesNotContain("ready", silo.Stdout);
        var line = silo.Stderr.Split('\n').FirstOrDefault(l => l.Contains(key));
        Assert.True(line is not null, $"no line names {key}\n{silo.Output}");
        Assert.Contains(detail, line);
    }

    private async Task AssertServesAsync(SiloReady ready)
    {
        var client = await _runner.ConnectAsync(ready);
        await client.CreateAsync("/config-check", Encoding.UTF8.GetBytes("ok"));
        Assert.Equal("ok", Encoding.UTF8.GetString((await client.GetDataAsync("/config-check")).Data!));
    }
}
