using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace OrleansZk.Grains;

public static class SiloBuilderExtensions
{
    /// <summary>
    /// Hosts OrleansZk on this silo: the replica grain this silo is configured for (pinned here by
    /// <see cref="ReplicaPlacement"/>), partition grains, the watch-event stream provider
    /// (<see cref="ZkDefaults.StreamProvider"/>, memory streams, and the <c>PubSubStore</c> memory grain
    /// storage they need; clients call <see cref="OrleansZkClientBuilderExtensions.AddOrleansZkStreams"/>), and membership probes tuned so a dead silo
    /// is declared within a few seconds (Orleans' defaults take about 30 s), so a call to a replica
    /// whose silo died fails fast with <see cref="ReplicaUnavailableException"/>.
    /// </summary>
    public static ISiloBuilder AddOrleansZk(this ISiloBuilder builder, Action<ZkServiceOptions>? configure = null)
    {
        var options = new ZkServiceOptions();
        configure?.Invoke(options);
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(configure));

        builder.UseSiloMetadata(new Dictionary<string, string>
        {
            [ZkDefaults.ReplicaMetadataKey] = options.ReplicaId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<EnsembleDirectory>();
        builder.Services.AddPlacementDirector<ReplicaPlacement, ReplicaPlacementDirector>();
        // Watch events: one memory stream per session (docs/watches.md), polled every WatchPollMs;
        // its subscriptions live in memory grain storage (soft state, as the registrations are).
        var poll = TimeSpan.FromMilliseconds(options.WatchPollMs);
        builder.AddMemoryStreams(ZkDefaults.StreamProvider, streams =>
        {
            streams.ConfigurePartitioning(ZkDefaults.StreamQueues);
            streams.ConfigurePullingAgent(agent => agent.Configure(o => o.GetQueueMsgsTimerPeriod = poll));
        });
        builder.AddMemoryGrainStorage(ZkDefaults.PubSubStore);
        builder.Services.Configure<ClusterMembershipOptions>(m =>
        {
            // Suspect after 2 missed 1 s probes; one vote suffices in a small cluster.
            m.ProbeTimeout = TimeSpan.FromSeconds(1);
            m.NumMissedProbesLimit = 2;
            m.NumVotesForDeathDeclaration = 1;
            m.TableRefreshTimeout = TimeSpan.FromSeconds(2);
            m.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
        });
        return builder;
    }

    /// <summary><see cref="AddOrleansZk(ISiloBuilder, Action{ZkServiceOptions})"/> with the settings bound from a configuration section (e.g. <c>OrleansZk</c>).</summary>
    public static ISiloBuilder AddOrleansZk(this ISiloBuilder builder, IConfiguration section) =>
        builder.AddOrleansZk(o => section.Bind(o));
}
