using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Orleans.Configuration;
using Orleans.Runtime;
using OrleansZk.Database;
using OrleansZk.Grains;
using OrleansZk.Wire.Server;

namespace OrleansZk.Silo;

/// <summary>
/// The standalone silo: settings (checked in full before Orleans starts), with AdoNet clustering
/// the database reached and its schema applied (or checked), one Orleans silo hosting OrleansZk,
/// the replica recovered before "ready" is printed, and a clean stop on Ctrl+C / SIGTERM. The
/// first argument <c>schema</c> runs <see cref="SchemaCommand"/> instead.
/// </summary>
/// <remarks>
/// stdout carries exactly one line, the ready line (scripts and tests wait for it); logs, at
/// Warning and above unless <c>Logging:LogLevel:Default</c> says otherwise, and start-up errors go
/// to stderr.
/// </remarks>
internal static class SiloHost
{
    /// <summary>Exit code when the settings are wrong (nothing was started).</summary>
    public const int ExitBadSettings = 2;

    /// <summary>Exit code when the silo failed to start (ports in use, data directory locked or damaged, database unreachable or refused).</summary>
    public const int ExitStartFailed = 1;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length > 0 && args[0] == SchemaCommand.Name) return await SchemaCommand.RunAsync(args[1..]);

        var (options, configuration, exit) = LoadSettings(args);
        if (options is null) return exit;
        InlineSocketCompletions();

        // Orleans listens with SO_REUSEPORT on Linux, so a second silo on a taken port would share
        // it silently (clients landing on either); check that its ports (and the client port) are free first.
        var busy = PortCheck.InUse(options);
        if (busy.Count > 0)
        {
            foreach (var problem in busy) Console.Error.WriteLine($"OrleansZk silo {options.ReplicaId} failed to start: {problem}");
            return ExitStartFailed;
        }

        // Before Orleans: an unreachable or refused database stops start-up with one clear line.
        if (await DatabaseStartup.PrepareAsync(options, CancellationToken.None) is { } refusal)
        {
            Console.Error.WriteLine($"OrleansZk silo {options.ReplicaId} failed to start: {refusal}");
            return ExitStartFailed;
        }

        using var host = Build(configuration!, options);
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        try
        {
            await host.StartAsync(lifetime.ApplicationStopping);
            await WarmUpReplicaAsync(host.Services, options, lifetime.ApplicationStopping);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            await StopAsync(host);
            return 0;
        }
        catch (Exception e)
        {
            var lockedPath = Find<Storage.DataDirectoryLockedException>(e)?.LockPath ?? Find<ReplicaUnavailableException>(e)?.LockedPath;
            var reason = lockedPath is not null
                ? $"{ZkServiceOptions.SectionName}:DataDir {options.DataDir} is locked by another process (cannot lock {lockedPath})"
                : DatabaseStartup.Explain(e, options) ?? OneLine(e);
            Console.Error.WriteLine($"OrleansZk silo {options.ReplicaId} failed to start: {reason}");
            await StopAsync(host);
            return ExitStartFailed;
        }

        var gateway = host.Services.GetRequiredService<ILocalSiloDetails>().GatewayAddress?.Endpoint;
        var clientPort = host.Services.GetService<ZkWireServer>()?.LocalEndPoint?.ToString() ?? "off";
        Console.Out.WriteLine(
            $"OrleansZk silo {options.ReplicaId} ready: gateway {gateway?.ToString() ?? "none"}, silo port {options.SiloPort}, client port {clientPort}, data {options.DataDir}");
        await host.WaitForShutdownAsync();
        return 0;
    }

    /// <summary>The .NET runtime's switch that runs socket completions on the socket engine's thread.</summary>
    public const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Unless the environment says otherwise (<c>0</c> turns it off), socket completions run on the
    /// socket engine's thread instead of being handed to the thread pool: a request read from a
    /// connection is parsed and sent on to its grain there, one thread hop fewer per request. Nothing
    /// that runs there blocks (the client port's reading and writing, Orleans' connections); measured
    /// in bench/README.md ("One hop fewer on the client port"). Read once, when the process first uses
    /// an asynchronous socket: this runs before anything does (the database check included).
    /// </summary>
    private static void InlineSocketCompletions()
    {
        if (Environment.GetEnvironmentVariable(InlineCompletionsVariable) is null) Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
    }

    /// <summary>
    /// The configuration and the checked settings (DataDir made absolute); on a problem, prints
    /// it (one line each) and returns null options with <see cref="ExitBadSettings"/>.
    /// </summary>
    internal static (ZkServiceOptions? Options, ConfigurationManager? Configuration, int Exit) LoadSettings(string[] args)
    {
        ConfigurationManager configuration;
        try
        {
            configuration = SiloConfiguration.Load(args, AppContext.BaseDirectory, Environment.CurrentDirectory);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException)
        {
            // e.g. "Failed to load configuration from file '…/appsettings.json'." + the JSON error.
            Console.Error.WriteLine($"{e.Message} {e.InnerException?.Message}".TrimEnd().ReplaceLineEndings(" "));
            return (null, null, ExitBadSettings);
        }

        var (options, errors) = SettingsReader.Read(configuration);
        if (options is null)
        {
            foreach (var error in errors) Console.Error.WriteLine(error);
            return (null, null, ExitBadSettings);
        }
        options.DataDir = Path.GetFullPath(options.DataDir);
        return (options, configuration, 0);
    }

    private static IHost Build(ConfigurationManager configuration, ZkServiceOptions options)
    {
        // Empty builder: no second round of default sources, so SiloConfiguration alone decides
        // what overrides what.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            Configuration = configuration,
            ContentRootPath = AppContext.BaseDirectory,
        });

        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // One line per replica role change (Looking, Following, Leading), even at the default level.
        builder.Logging.AddFilter(ZkReplicaGrain.EnsembleLogCategory, LogLevel.Information);
        builder.Logging.AddConfiguration(configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole(c =>
        {
            c.SingleLine = true;
            c.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Services.Configure<ConsoleLoggerOptions>(c => c.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.Configure<ConsoleLifetimeOptions>(c => c.SuppressStatusMessages = true);

        var section = configuration.GetSection(ZkServiceOptions.SectionName);
        builder.UseOrleans(silo =>
        {
            if (options.Clustering == ZkClustering.AdoNet)
            {
                silo.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = options.ClusterId;
                    o.ServiceId = options.ServiceId;
                });
                silo.ConfigureEndpoints(IPAddress.Parse(options.Address), options.SiloPort, options.GatewayPort);
                silo.UseZkDatabaseClustering(options.Database.Resolve(options.DataDir));
            }
            else
            {
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort,
                    serviceId: options.ServiceId, clusterId: options.ClusterId);
            }
            silo.AddOrleansZk(o =>
            {
                section.Bind(o);
                o.DataDir = options.DataDir;
            });
            if (options.ClientPort != 0)
            {
                // ZooKeeper's clientPort: zkCli, kazoo, Curator connect here unchanged.
                silo.AddOrleansZkClientPort(o =>
                {
                    o.Address = options.Address;
                    o.Port = options.ClientPort;
                    o.MaxFrameBytes = options.MaxDataBytes;
                    o.FourLetterWords = options.FourLetterWords;
                });
            }
        });
        return builder.Build();
    }

    /// <summary>
    /// Activates this silo's replica so that it takes its data directory's lock and recovers its
    /// log now: a locked or damaged directory stops start-up instead of failing the first client.
    /// </summary>
    private static async Task WarmUpReplicaAsync(IServiceProvider services, ZkServiceOptions options, CancellationToken ct)
    {
        if (options.ReplicaId == 0) return;
        var replica = services.GetRequiredService<IGrainFactory>().GetGrain<IZkReplicaGrain>(options.ReplicaId);
        while (true)
        {
            try
            {
                await replica.GetServiceInfo().WaitAsync(ct);
                return;
            }
            catch (TimeoutException)
            {
                // Recovery of a long log can outlast one call's timeout; the activation goes on.
            }
        }
    }

    private static async Task StopAsync(IHost host)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await host.StopAsync(cts.Token);
        }
        catch (Exception)
        {
            // Already failing or stopping; the exit code says so.
        }
    }

    private static T? Find<T>(Exception? e) where T : Exception => e switch
    {
        null => null,
        T found => found,
        AggregateException aggregate => aggregate.InnerExceptions.Select(Find<T>).FirstOrDefault(x => x is not null),
        _ => Find<T>(e.InnerException),
    };

    /// <summary>The innermost causes of <paramref name="e"/> on one line.</summary>
    private static string OneLine(Exception e)
    {
        var causes = new List<string>();
        void Collect(Exception x)
        {
            if (x is AggregateException aggregate)
                foreach (var inner in aggregate.InnerExceptions) Collect(inner);
            else if (x.InnerException is not null && x is not Storage.StorageException)
                Collect(x.InnerException);
            else
                causes.Add(x.Message);
        }
        Collect(e);
        return string.Join("; ", causes.Distinct()).ReplaceLineEndings(" ");
    }
}
