namespace OrleansZk.Grains;

/// <summary>
/// The service's settings: the <c>OrleansZk</c> section of appsettings.json (README has the table).
/// Every silo of a cluster must agree on <see cref="Partitions"/> and <see cref="Ensemble"/>.
/// </summary>
public sealed class ZkServiceOptions
{
    public const string SectionName = "OrleansZk";

    /// <summary>The replica this silo hosts (ZooKeeper's myid), one of <see cref="Ensemble"/>; 0 = none (a silo that only serves partitions and clients).</summary>
    public long ReplicaId { get; set; } = 1;

    /// <summary>The voting replicas' ids, comma-separated (1, 3, 5 or 7 of them): ZooKeeper's server list.</summary>
    public string Ensemble { get; set; } = "1";

    /// <summary>The ZAB engine's tick, in milliseconds: the unit of the election and heartbeat timers below.</summary>
    public int ZabTickMs { get; set; } = 50;

    /// <summary>
    /// A follower that hears nothing from its leader, or a leader that hears from no quorum, for this
    /// long starts an election (ZooKeeper's syncLimit): the floor of the time to replace a dead leader.
    /// </summary>
    public int SyncLimitMs { get; set; } = 1_000;

    /// <summary>Discovery plus synchronisation with a new leader must finish within this long (ZooKeeper's initLimit); a SNAP of a large tree needs it.</summary>
    public int InitLimitMs { get; set; } = 10_000;

    /// <summary>
    /// How many recently applied transactions' effects each replica keeps (also bounded to 64 MiB), so
    /// a new leader brings a partition up to date by sending what changed there rather than all of it.
    /// </summary>
    public int EffectHistory { get; set; } = 10_000;

    /// <summary>The largest replica id (ZooKeeper's myid range).</summary>
    public const long MaxReplicaId = 255;

    /// <summary>The voting replicas' ids, parsed from <see cref="Ensemble"/> (empty when it does not parse).</summary>
    public IReadOnlyList<long> EnsembleIds => ParseEnsemble(Ensemble) ?? [];

    /// <summary>The ids in <paramref name="text"/>, or null when it is not a comma-separated list of positive whole numbers.</summary>
    public static IReadOnlyList<long>? ParseEnsemble(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var ids = new List<long>();
        foreach (var part in text.Split(','))
        {
            if (!long.TryParse(part.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) || id is <= 0 or > MaxReplicaId) return null;
            ids.Add(id);
        }
        return ids;
    }

    /// <summary>Where the replica keeps its transaction log and snapshots (in <c>replica-{id}</c> below it). Relative paths are from the working directory.</summary>
    public string DataDir { get; set; } = "./data";

    /// <summary>Orleans silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Orleans gateway port, where clients (ZkClient, the shell) connect.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// ZooKeeper's clientPort: the TCP port, on <see cref="Address"/>, where the silo speaks ZooKeeper
    /// 3.8's client protocol (zkCli, kazoo, Curator connect here unchanged); 0 = off.
    /// </summary>
    public int ClientPort { get; set; } = 2181;

    /// <summary>
    /// The four-letter words the client port answers (ZooKeeper's 4lw.commands.whitelist):
    /// comma-separated, from ruok, srvr, stat, mntr, srst, conf, cons, envi, wchs; "*" = all of them. As
    /// ZooKeeper, only srvr by default; any other word gets ZooKeeper's "not in the whitelist" answer.
    /// </summary>
    public string FourLetterWords { get; set; } = "srvr";

    /// <summary>Number of partition grains holding the tree: a power of two, 1 to 65536.</summary>
    public int Partitions { get; set; } = 64;

    /// <summary>ZooKeeper's tickTime: the unit of session timeouts.</summary>
    public int TickTimeMs { get; set; } = 2000;

    /// <summary>The shortest session timeout granted (0 = 2 ticks, as ZooKeeper).</summary>
    public int MinSessionTimeoutMs { get; set; }

    /// <summary>The longest session timeout granted (0 = 20 ticks, as ZooKeeper).</summary>
    public int MaxSessionTimeoutMs { get; set; }

    /// <summary>fsync the log before acknowledging a write (ZooKeeper's forceSync). Off only for tests and benchmarks.</summary>
    public bool ForceSync { get; set; } = true;

    /// <summary>Snapshot the tree every this many transactions.</summary>
    public long SnapCount { get; set; } = 100_000;

    /// <summary>How many snapshots (and the logs they need) to keep.</summary>
    public int PurgeRetainCount { get; set; } = 3;

    /// <summary>Size of a transaction log segment file.</summary>
    public long SegmentBytes { get; set; } = 64L << 20;

    /// <summary>
    /// The largest request, as ZooKeeper's jute.maxbuffer counts it (data + path + ACL): 1 MiB − 1 by
    /// default, so a node holds up to about 1 MiB of data.
    /// </summary>
    public int MaxDataBytes { get; set; } = 0xfffff;

    /// <summary>Whether TTL nodes may be created (ZooKeeper's extendedTypesEnabled).</summary>
    public bool TtlEnabled { get; set; } = true;

    /// <summary>How often the replica looks for empty containers and expired TTL nodes (ZooKeeper's znode.container.checkIntervalMs).</summary>
    public int ContainerCheckIntervalMs { get; set; } = 60_000;

    /// <summary>At most this many container / TTL deletions per minute (ZooKeeper's znode.container.maxPerMinute).</summary>
    public int ContainerMaxPerMinute { get; set; } = 10_000;

    /// <summary>At most this many requests prepared and logged as one batch (one fsync).</summary>
    public int MaxBatch { get; set; } = 2_000;

    /// <summary>
    /// Per partition, how many recent watch triggers are kept so that a persistent watch
    /// re-registered after a loss can replay every change it missed (docs/watches.md); 0 keeps none
    /// (such a watch then gets HistoryTrimmed and must re-read).
    /// </summary>
    public int WatchHistory { get; set; } = 4_096;

    /// <summary>
    /// Whether clients running in this silo (the client port's connections, a ZkClient made from the
    /// silo's own IClusterClient) call the replica and partitions activated here without Orleans'
    /// messaging: reads answered under the partition's lock when it can answer at once, writes run
    /// as turns of the replica (docs/service.md, "Calls inside a silo"). Same answers either way.
    /// </summary>
    public bool LocalCalls { get; set; } = true;

    /// <summary>How the silos find each other: <see cref="ZkClustering.Localhost"/> (one silo, the default) or <see cref="ZkClustering.AdoNet"/> (<see cref="Database"/>).</summary>
    public ZkClustering Clustering { get; set; } = ZkClustering.Localhost;

    /// <summary>
    /// The IPv4 or IPv6 address the silo listens on and tells other silos and clients to use
    /// (<see cref="ZkClustering.AdoNet"/> only; localhost clustering always uses 127.0.0.1). On several
    /// hosts, each silo's own address that the others can reach.
    /// </summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>The Orleans cluster id: silos with the same one (in one database) form one cluster; clients name it too.</summary>
    public string ClusterId { get; set; } = ZkDefaults.ClusterId;

    /// <summary>The Orleans service id: stays the same across deployments of one service (it keys the grain state in the database).</summary>
    public string ServiceId { get; set; } = ZkDefaults.ServiceId;

    /// <summary>The database of <see cref="ZkClustering.AdoNet"/> clustering (the <c>OrleansZk:Database</c> section).</summary>
    public ZkDatabaseOptions Database { get; set; } = new();

    public int EffectiveMinSessionTimeoutMs => MinSessionTimeoutMs > 0 ? MinSessionTimeoutMs : 2 * TickTimeMs;

    public int EffectiveMaxSessionTimeoutMs => MaxSessionTimeoutMs > 0 ? MaxSessionTimeoutMs : 20 * TickTimeMs;

    /// <summary>The four-letter words the client port can answer.</summary>
    public static readonly IReadOnlyList<string> FourLetterWordNames = ["ruok", "srvr", "stat", "mntr", "srst", "conf", "cons", "envi", "wchs"];

    private const string ClusterNameRule = "1 to 150 letters, digits, '.', '-' or '_'";

    private static bool IsClusterName(string? name) =>
        name is { Length: >= 1 and <= 150 } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');

    /// <summary>
    /// The problems with these settings, each naming its key (e.g. "OrleansZk:Partitions must be a
    /// power of two from 1 to 65536, not 48"); empty when they are all right.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Require(bool ok, string key, string rule, object? value)
        {
            if (!ok) errors.Add($"{SectionName}:{key} must be {rule}, not {value ?? "empty"}");
        }
        Require(ReplicaId is >= 0 and <= MaxReplicaId, nameof(ReplicaId), "0 (no replica) or an id from 1 to 255", ReplicaId);
        var ensemble = ParseEnsemble(Ensemble);
        Require(ensemble != null, nameof(Ensemble), "a comma-separated list of replica ids from 1 to 255, such as \"1,2,3\"", $"'{Ensemble}'");
        if (ensemble != null)
        {
            Require(ensemble.Count is 1 or 3 or 5 or 7, nameof(Ensemble), "1, 3, 5 or 7 replica ids (an even count adds no fault tolerance)", $"'{Ensemble}' ({ensemble.Count} ids)");
            var duplicate = ensemble.GroupBy(id => id).FirstOrDefault(g => g.Count() > 1);
            Require(duplicate == null, nameof(Ensemble), "a list of distinct ids", $"'{Ensemble}' ({duplicate?.Key} twice)");
            Require(ReplicaId == 0 || ensemble.Contains(ReplicaId), nameof(ReplicaId), $"0 or one of the ensemble's ids ({Ensemble})", ReplicaId);
        }
        Require(ZabTickMs is >= 1 and <= 10_000, nameof(ZabTickMs), "from 1 to 10000", ZabTickMs);
        Require(SyncLimitMs >= 2 * ZabTickMs && SyncLimitMs <= 600_000, nameof(SyncLimitMs), $"at least two ZabTickMs ({2 * ZabTickMs}) and at most 600000", SyncLimitMs);
        Require(InitLimitMs >= SyncLimitMs && InitLimitMs <= 3_600_000, nameof(InitLimitMs), $"at least SyncLimitMs ({SyncLimitMs}) and at most 3600000", InitLimitMs);
        Require(EffectHistory >= 0, nameof(EffectHistory), "0 or more", EffectHistory);
        Require(!string.IsNullOrWhiteSpace(DataDir), nameof(DataDir), "a directory path", DataDir);
        Require(SiloPort is > 0 and < 65536, nameof(SiloPort), "a port from 1 to 65535", SiloPort);
        Require(GatewayPort is > 0 and < 65536, nameof(GatewayPort), "a port from 1 to 65535", GatewayPort);
        Require(SiloPort != GatewayPort, nameof(GatewayPort), "different from SiloPort", GatewayPort);
        Require(ClientPort is >= 0 and < 65536, nameof(ClientPort), "0 (off) or a port from 1 to 65535", ClientPort);
        Require(ClientPort == 0 || (ClientPort != SiloPort && ClientPort != GatewayPort), nameof(ClientPort), "different from SiloPort and GatewayPort", ClientPort);
        var words = (FourLetterWords ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var unknown = words.FirstOrDefault(w => w != "*" && !FourLetterWordNames.Contains(w));
        Require(unknown == null, nameof(FourLetterWords), $"\"*\" or a comma-separated list of {string.Join(", ", FourLetterWordNames)}", $"'{FourLetterWords}' ('{unknown}')");
        Require(Core.PathHash.IsValidPartitionCount(Partitions), nameof(Partitions), "a power of two from 1 to 65536", Partitions);
        Require(TickTimeMs is >= 1 and <= 600_000, nameof(TickTimeMs), "from 1 to 600000", TickTimeMs);
        Require(MinSessionTimeoutMs >= 0, nameof(MinSessionTimeoutMs), "0 (2 ticks) or positive", MinSessionTimeoutMs);
        Require(MaxSessionTimeoutMs >= 0, nameof(MaxSessionTimeoutMs), "0 (20 ticks) or positive", MaxSessionTimeoutMs);
        Require(EffectiveMinSessionTimeoutMs <= EffectiveMaxSessionTimeoutMs, nameof(MaxSessionTimeoutMs),
            $"at least MinSessionTimeoutMs ({EffectiveMinSessionTimeoutMs})", EffectiveMaxSessionTimeoutMs);
        Require(SnapCount >= 1, nameof(SnapCount), "at least 1", SnapCount);
        Require(PurgeRetainCount >= 1, nameof(PurgeRetainCount), "at least 1", PurgeRetainCount);
        Require(SegmentBytes >= 1 << 20, nameof(SegmentBytes), "at least 1048576", SegmentBytes);
        Require(MaxDataBytes is >= 1024 and <= 64 << 20, nameof(MaxDataBytes), "from 1024 to 67108864", MaxDataBytes);
        Require(ContainerCheckIntervalMs >= 10, nameof(ContainerCheckIntervalMs), "at least 10", ContainerCheckIntervalMs);
        Require(ContainerMaxPerMinute >= 1, nameof(ContainerMaxPerMinute), "at least 1", ContainerMaxPerMinute);
        Require(MaxBatch >= 1, nameof(MaxBatch), "at least 1", MaxBatch);
        Require(WatchHistory >= 0, nameof(WatchHistory), "0 or more", WatchHistory);
        Require(Enum.IsDefined(Clustering), nameof(Clustering), "Localhost or AdoNet", Clustering);
        Require(System.Net.IPAddress.TryParse(Address, out var address) && !address.Equals(System.Net.IPAddress.Any) && !address.Equals(System.Net.IPAddress.IPv6Any),
            nameof(Address), "an IP address of this host (not 0.0.0.0: others connect to it)", $"'{Address}'");
        Require(Clustering == ZkClustering.AdoNet || Address == "127.0.0.1", nameof(Address),
            "127.0.0.1 with Clustering = Localhost (set Clustering = AdoNet for other addresses)", $"'{Address}'");
        Require(IsClusterName(ClusterId), nameof(ClusterId), ClusterNameRule, $"'{ClusterId}'");
        Require(IsClusterName(ServiceId), nameof(ServiceId), ClusterNameRule, $"'{ServiceId}'");
        errors.AddRange(Database.Problems(Clustering, $"{SectionName}:{nameof(Database)}"));
        return errors;
    }
}
