using System.Globalization;
using System.Text.RegularExpressions;

namespace OrleansZk.Grains;

/// <summary>
/// What a silo tells the cluster about itself through its membership entry: the replica it hosts
/// (0: none) and its gateway port (0: none), appended to its silo name as
/// <c>" [orleanszk replica=N gateway=P]"</c>. Every membership update carries the names, read from
/// the membership table itself: nothing to fetch from the silo, nothing to miss. (Orleans' silo
/// metadata is fetched from each silo once per membership change; a fetch that fails is not
/// retried until the next change, and one that hangs on a frozen silo holds up the others'.)
/// </summary>
public static partial class SiloTag
{
    /// <summary><paramref name="siloName"/> with the tag appended.</summary>
    public static string Append(string? siloName, long replicaId, int gatewayPort) =>
        string.Create(CultureInfo.InvariantCulture, $"{siloName ?? "silo"} [orleanszk replica={replicaId} gateway={gatewayPort}]");

    /// <summary>The replica and gateway port a tagged silo name carries; false for a name without the tag.</summary>
    public static bool TryParse(string? siloName, out long replicaId, out int gatewayPort)
    {
        replicaId = 0;
        gatewayPort = 0;
        if (siloName is null || Tag().Match(siloName) is not { Success: true } m) return false;
        replicaId = long.Parse(m.Groups["replica"].Value, CultureInfo.InvariantCulture);
        gatewayPort = int.Parse(m.Groups["gateway"].Value, CultureInfo.InvariantCulture);
        return true;
    }

    [GeneratedRegex(@" \[orleanszk replica=(?<replica>[0-9]{1,3}) gateway=(?<gateway>[0-9]{1,5})\]$")]
    private static partial Regex Tag();
}
