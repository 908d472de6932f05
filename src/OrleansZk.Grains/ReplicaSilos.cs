using System.Globalization;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace OrleansZk.Grains;

/// <summary>
/// Whether an active silo in the cluster hosts a replica (each silo publishes its replica id as
/// silo metadata). Sending to a replica whose silo is down would only fail placement, loudly, on
/// every message: replicas skip those sends (ZAB takes them as lost), and the directory reports the
/// replica unreachable without asking it.
/// </summary>
public sealed class ReplicaSilos(IClusterMembershipService membership, ISiloMetadataCache metadata)
{
    /// <summary>True when an active silo is configured to host replica <paramref name="replicaId"/>.</summary>
    public bool IsUp(long replicaId)
    {
        var wanted = replicaId.ToString(CultureInfo.InvariantCulture);
        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status != SiloStatus.Active) continue;
            if (metadata.GetSiloMetadata(member.SiloAddress).Metadata.TryGetValue(ZkDefaults.ReplicaMetadataKey, out var id) && id == wanted)
                return true;
        }
        return false;
    }
}
