using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace OrleansZk.Grains;

/// <summary>
/// Places replica grain N on the silo configured with <c>OrleansZk:ReplicaId = N</c>, and nowhere
/// else: a replica's log and snapshots are that silo's disk. When that silo is absent the
/// activation fails with <see cref="ReplicaUnavailableException"/> instead of landing on a
/// survivor (which Orleans would otherwise do once it declares the silo dead).
/// </summary>
[Serializable, GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("zk.ReplicaPlacement")]
public sealed class ReplicaPlacement : PlacementStrategy
{
    public static ReplicaPlacement Singleton { get; } = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ReplicaPlacementAttribute() : PlacementAttribute(ReplicaPlacement.Singleton);

internal sealed class ReplicaPlacementDirector(IOptions<ZkServiceOptions> options, ReplicaSilos silos) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var replicaId = target.GrainIdentity.GetIntegerKey();
        if (replicaId == options.Value.ReplicaId && context.LocalSiloStatus == SiloStatus.Active)
            return Task.FromResult(context.LocalSilo);
        return silos.SiloOf(replicaId, context.GetCompatibleSilos(target)) is { } silo
            ? Task.FromResult(silo)
            : throw new ReplicaUnavailableException(
                $"replica {replicaId} is unavailable: no active silo in the cluster is configured with {ZkServiceOptions.SectionName}:ReplicaId = {replicaId}");
    }
}
