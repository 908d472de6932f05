using Orleans.Runtime;

namespace OrleansZk.Grains;

/// <summary>
/// Which active silo hosts a replica, and the active silos' gateways, from the membership snapshot
/// (each silo's name carries its replica id and gateway port: <see cref="SiloTag"/>). Sending to a
/// replica whose silo is down would only fail placement, loudly, on every message: replicas skip
/// those sends (ZAB takes them as lost), and the directory reports the replica unreachable without
/// asking it. An active silo whose name has no tag (not an OrleansZk silo of this version) may host
/// anything, so it counts as hosting the replica for sends.
/// </summary>
public sealed class ReplicaSilos(IClusterMembershipService membership)
{
    /// <summary>True if an active silo hosts replica <paramref name="replicaId"/>, or some active silo's name does not say.</summary>
    public bool IsUp(long replicaId)
    {
        var untagged = false;
        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status != SiloStatus.Active) continue;
            if (!SiloTag.TryParse(member.Name, out var id, out _)) untagged = true;
            else if (id == replicaId) return true;
        }
        return untagged;
    }

    /// <summary>The active silo among <paramref name="candidates"/> that hosts replica <paramref name="replicaId"/>, or null.</summary>
    public SiloAddress? SiloOf(long replicaId, IEnumerable<SiloAddress> candidates)
    {
        var members = membership.CurrentSnapshot.Members;
        foreach (var silo in candidates)
        {
            if (members.TryGetValue(silo, out var member) && member.Status == SiloStatus.Active
                && SiloTag.TryParse(member.Name, out var id, out _) && id == replicaId)
                return silo;
        }
        return null;
    }

    /// <summary>
    /// The gateways ("address:port") of the active silos that have one; empty (nothing known) if some
    /// active silo's name does not say.
    /// </summary>
    public IReadOnlyList<string> ActiveGateways()
    {
        var gateways = new List<string>();
        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status != SiloStatus.Active) continue;
            if (!SiloTag.TryParse(member.Name, out _, out var port)) return [];
            if (port != 0) gateways.Add(new System.Net.IPEndPoint(member.SiloAddress.Endpoint.Address, port).ToString());
        }
        return gateways;
    }
}
