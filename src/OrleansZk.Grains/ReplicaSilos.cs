using System.Globalization;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace OrleansZk.Grains;

/// <summary>
/// Whether an active silo in the cluster hosts a replica (each silo publishes its replica id and
/// gateway port as silo metadata). Sending to a replica whose silo is down would only fail
/// placement, loudly, on every message: replicas skip those sends (ZAB takes them as lost), and the
/// directory reports the replica unreachable without asking it. Orleans fetches a silo's metadata
/// once, when membership changes, and a fetch that fails is not retried until the next change: a
/// silo whose metadata is unknown may host the replica, so it counts as up (sends go out; they are
/// lost if it does not).
/// </summary>
public sealed class ReplicaSilos(IClusterMembershipService membership, ISiloMetadataCache metadata)
{
    /// <summary>True unless every active silo's metadata is known and none names replica <paramref name="replicaId"/>.</summary>
    public bool IsUp(long replicaId)
    {
        var wanted = replicaId.ToString(CultureInfo.InvariantCulture);
        var unknown = false;
        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status != SiloStatus.Active) continue;
            var published = metadata.GetSiloMetadata(member.SiloAddress).Metadata;
            if (!published.TryGetValue(ZkDefaults.ReplicaMetadataKey, out var id)) unknown = true;
            else if (id == wanted) return true;
        }
        return unknown;
    }

    /// <summary>
    /// The gateways ("address:port") of the active silos: each silo's address with the gateway port
    /// it publishes; empty (nothing known) while some active silo's metadata is unknown.
    /// </summary>
    public IReadOnlyList<string> ActiveGateways()
    {
        var gateways = new List<string>();
        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status != SiloStatus.Active) continue;
            if (!metadata.GetSiloMetadata(member.SiloAddress).Metadata.TryGetValue(ZkDefaults.GatewayMetadataKey, out var text)
                || !int.TryParse(text, CultureInfo.InvariantCulture, out var port))
                return [];
            gateways.Add(new System.Net.IPEndPoint(member.SiloAddress.Endpoint.Address, port).ToString());
        }
        return gateways;
    }
}
