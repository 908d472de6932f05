using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime.Placement;
using OrleansZk.Database;

namespace OrleansZk.Grains;

public static class SiloBuilderExtensions
{
    /// <summary>
    /// Hosts OrleansZk on this silo: the replica grain this silo is configured for (pinned here by
    /// <see cref="ReplicaPlacement"/>), partition grains (watch events are pushed to the clients'
    /// grain observers: nothing to configure on either side), and membership timing tuned so a
    /// dead silo is declared within a few seconds (<see cref="ConfigureFailureDetection"/>).
    /// Clustering itself (localhost or <see cref="OrleansZk.Database.ZkDatabaseHostingExtensions.UseZkDatabaseClustering(ISiloBuilder, OrleansZk.Database.ZkDatabase)"/>)
    /// is the host's to configure; with AdoNet the database's schema must be current
    /// (<see cref="OrleansZk.Database.SchemaMigrator"/>).
    /// </summary>
    public static ISiloBuilder AddOrleansZk(this ISiloBuilder builder, Action<ZkServiceOptions>? configure = null)
    {
        var options = new ZkServiceOptions();
        configure?.Invoke(options);
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(configure));

        // The replica this silo hosts and its gateway port travel with membership, in the silo's name.
        builder.Services.AddOptions<SiloOptions>().PostConfigure<Microsoft.Extensions.Options.IOptions<EndpointOptions>>((silo, endpoints) =>
            silo.SiloName = SiloTag.Append(silo.SiloName, options.ReplicaId, endpoints.Value.GatewayPort));
        builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<EnsembleDirectory>();
        builder.Services.AddSingleton<ReplicaSilos>();
        builder.Services.AddSingleton<LocalGrains>();
        if (options.LocalCalls) builder.Services.AddSingleton<IZkLocalCalls>(sp => sp.GetRequiredService<LocalGrains>());
        builder.Services.AddPlacementDirector<ReplicaPlacement, ReplicaPlacementDirector>();
        if (options.Clustering == ZkClustering.AdoNet)
        {
            // Orleans' default grain directory deactivates every activation whose directory entry
            // lived on a silo that died: partitions on the surviving silos would vanish with the
            // replica's silo and could not rebuild without it. The distributed directory recovers
            // the entries from the survivors instead, so they go on serving reads.
#pragma warning disable ORLEANSEXP003 // experimental in Orleans 10.4
            builder.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
            // After a silo dies uncleanly, no activation may be registered in its directory range
            // for this long (so a silo wrongly declared dead can notice and stop before its grains
            // are activated elsewhere). Orleans' 30 s would hold a fully restarted cluster that long;
            // a declared-dead silo learns of it within a table refresh (2 s).
            builder.Services.Configure<GrainDirectoryOptions>(o => o.RangeLeaseDuration = TimeSpan.FromSeconds(5));
        }
        builder.Services.Configure<ClusterMembershipOptions>(ConfigureFailureDetection);
        // A silo hands every message for a client to its own gateway's record of that client
        // whenever it has one, connected or not, and a disconnected client's record keeps what is
        // queued there until the client comes back or this timeout passes. With Orleans' minute, a
        // client that had left this silo's gateway (a restarted silo) could have the replica here
        // answer its writes into that queue for up to a minute: applied, never acknowledged
        // (Silo.Tests CrashTests: 34 replies dropped as expired after 51 s, the client retrying).
        builder.Services.Configure<SiloMessagingOptions>(o => o.ClientDropTimeout = ClientDropTimeout);
        return builder;
    }

    /// <summary>How long a silo's gateway keeps a disconnected client's record and queued messages (Orleans: 1 minute).</summary>
    public static readonly TimeSpan ClientDropTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Membership timing for a small cluster that must notice a dead silo in seconds and come
    /// back from a full stop in well under 30 s (Orleans' defaults take minutes for both);
    /// docs/database.md explains each value.
    /// </summary>
    public static void ConfigureFailureDetection(ClusterMembershipOptions m)
    {
        // A silo is probed every second; two missed probes make it suspect, and one vote (the
        // prober's own) declares it dead: about 2-3 s after a crash.
        m.ProbeTimeout = TimeSpan.FromSeconds(1);
        m.NumMissedProbesLimit = 2;
        m.NumVotesForDeathDeclaration = 1;
        // Silos re-read the table every 2 s besides gossip, so a declaration reaches them all.
        m.TableRefreshTimeout = TimeSpan.FromSeconds(2);
        // Heartbeats in the table every 2 s; an entry is stale after 2 missed (4 s). A starting silo
        // probes stale Active entries and votes them dead, so after a full stop it does not wait
        // for silos that are gone (Orleans otherwise retries them until MaxJoinAttemptTime).
        m.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(2);
        m.NumMissedTableIAmAliveLimit = 2;
        // A silo that cannot join gives up (and exits) within a minute instead of five.
        m.MaxJoinAttemptTime = TimeSpan.FromMinutes(1);
        // Suspicions older than this are ignored: a slow silo is not declared dead on old votes.
        m.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(20);
    }

    /// <summary><see cref="AddOrleansZk(ISiloBuilder, Action{ZkServiceOptions})"/> with the settings bound from a configuration section (e.g. <c>OrleansZk</c>).</summary>
    public static ISiloBuilder AddOrleansZk(this ISiloBuilder builder, IConfiguration section) =>
        builder.AddOrleansZk(o => section.Bind(o));
}
