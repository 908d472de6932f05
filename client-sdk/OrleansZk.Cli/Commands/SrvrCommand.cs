using System.Globalization;

namespace OrleansZk.Cli.Commands;

/// <summary>
/// <c>srvr</c>: every replica of the ensemble, one line each, as ZooKeeper's <c>srvr</c> four-letter
/// word reports one server: its role (Looking, Following, Leading) and phase, the leader it knows,
/// the epoch, its last, committed and applied zxids; for the leader the followers in sync, the
/// DIFF / TRUNC / SNAP plans it sent and whether it serves; the last election's duration. A replica
/// whose silo is down is reported unreachable, with why. Not in zkCli, so not in the usage listing.
/// </summary>
internal sealed class SrvrCommand() : CliCommand("srvr", "")
{
    public override bool Listed => false;

    public override async Task ExecuteAsync(CommandContext context, string[] words)
    {
        var replicas = await context.Connection.Call(null, zk => zk.GetEnsembleStatusAsync());
        foreach (var r in replicas.OrderBy(r => r.ReplicaId)) context.Out.WriteLine(Describe(r));
    }

    internal static string Describe(ReplicaStatus r)
    {
        if (!r.Reachable) return $"replica {r.ReplicaId}: unreachable ({r.Detail})";
        static string Z(long zxid) => "0x" + zxid.ToString("x", CultureInfo.InvariantCulture);
        var role = r.Role switch
        {
            "Leading" => r.Serving ? "Leading" : $"Leading ({r.Phase}, not serving yet)",
            "Following" => $"Following {r.LeaderId} ({r.Phase})",
            _ => r.Role,
        };
        var line = $"replica {r.ReplicaId}: {role}, epoch {r.Epoch}, zxid {Z(r.LastZxid)}, committed {Z(r.CommittedZxid)}, applied {Z(r.AppliedZxid)}";
        if (r.Role == "Leading")
            line += $", followers in sync [{string.Join(",", r.FollowersInSync)}], syncs DIFF {r.DiffSyncs} TRUNC {r.TruncSyncs} SNAP {r.SnapSyncs}";
        return line + $", last election {r.LastElectionMs} ms";
    }
}
