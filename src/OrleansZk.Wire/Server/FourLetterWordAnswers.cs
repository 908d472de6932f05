using System.Globalization;
using System.Reflection;
using System.Text;
using OrleansZk.Grains;

namespace OrleansZk.Wire.Server;

/// <summary>
/// The four-letter words, answered as ZooKeeper 3.8 answers them (same lines, same keys) from this
/// silo's client port and its replica: <c>ruok</c>, <c>srvr</c>, <c>stat</c>, <c>mntr</c>,
/// <c>conf</c>, <c>cons</c>, <c>envi</c>, <c>wchs</c>, <c>srst</c>. Counts of connections and watches
/// are this silo's client port's (as each ZooKeeper server reports its own); node counts and zxids are the
/// replica's (a silo without a replica reports the leader's, as an observer would).
/// </summary>
internal sealed class FourLetterWordAnswers(ZkWireServer server)
{
    /// <summary>The version line's version: the protocol spoken, and this build.</summary>
    public static readonly string Version =
        $"3.8.0-OrleansZk-{typeof(FourLetterWordAnswers).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0"}";

    /// <summary>ZooKeeper's answer for a word that is not enabled.</summary>
    public static string NotEnabled(string word) => $"{word} is not executed because it is not in the whitelist.\n";

    public async Task<string> AnswerAsync(string word, CancellationToken ct)
    {
        if (!server.Options.Allows(word)) return NotEnabled(word);
        return word switch
        {
            "ruok" => "imok",
            "srvr" => await StatAsync(withClients: false, ct),
            "stat" => await StatAsync(withClients: true, ct),
            "mntr" => await MonitorAsync(ct),
            "srst" => await ResetAsync(ct),
            "conf" => Conf(),
            "cons" => Cons(),
            "envi" => Envi(),
            "wchs" => Wchs(),
            _ => NotEnabled(word),
        };
    }

    private async Task<(string Mode, ReplicaStatus? Status)> ReplicaAsync(CancellationToken ct)
    {
        var service = server.Service;
        try
        {
            if (service.ReplicaId != 0)
            {
                var own = await server.Cluster.GetGrain<IZkReplicaGrain>(service.ReplicaId).GetStatus().WaitAsync(TimeSpan.FromSeconds(5), ct);
                var single = (service.Ensemble ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Length == 1;
                return (own.Role switch
                {
                    "Leading" => single ? "standalone" : "leader",
                    "Following" => "follower",
                    _ => "looking",
                }, own);
            }
            var leader = await server.Cluster.GetGrain<IZkServiceGrain>(0).FindLeader(false).WaitAsync(TimeSpan.FromSeconds(5), ct);
            var status = leader.LeaderId is { } id ? await server.Cluster.GetGrain<IZkReplicaGrain>(id).GetStatus().WaitAsync(TimeSpan.FromSeconds(5), ct) : null;
            return ("observer", status);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return ("looking", null);
        }
    }

    private async Task<string> StatAsync(bool withClients, CancellationToken ct)
    {
        var (mode, status) = await ReplicaAsync(ct);
        var stats = server.Stats;
        var sb = new StringBuilder();
        sb.Append("Zookeeper version: ").Append(Version).Append('\n');
        if (withClients)
        {
            sb.Append("Clients:\n");
            foreach (var c in server.Connections) sb.Append(ConnectionLine(c, brief: true)).Append('\n');
            sb.Append('\n');
        }
        sb.Append(Inv($"Latency min/avg/max: {stats.MinLatencyMs}/{Avg(stats.AvgLatencyMs)}/{stats.MaxLatencyMs}\n"));
        sb.Append(Inv($"Received: {stats.Received}\n"));
        sb.Append(Inv($"Sent: {stats.Sent}\n"));
        sb.Append(Inv($"Connections: {server.Connections.Count}\n"));
        sb.Append(Inv($"Outstanding: {server.Connections.Sum(c => c.Outstanding)}\n"));
        sb.Append(Inv($"Zxid: 0x{status?.AppliedZxid ?? 0:x}\n"));
        sb.Append(Inv($"Mode: {mode}\n"));
        sb.Append(Inv($"Node count: {status?.NodeCount ?? 0}\n"));
        return sb.ToString();
    }

    private async Task<string> MonitorAsync(CancellationToken ct)
    {
        var (mode, status) = await ReplicaAsync(ct);
        var stats = server.Stats;
        var connections = server.Connections;
        var watches = connections.Select(c => c.WatchSummary()).ToList();
        var lines = new List<(string, object)>
        {
            ("zk_version", Version),
            ("zk_server_state", mode),
            ("zk_avg_latency", Avg(stats.AvgLatencyMs)),
            ("zk_max_latency", stats.MaxLatencyMs),
            ("zk_min_latency", stats.MinLatencyMs),
            ("zk_packets_received", stats.Received),
            ("zk_packets_sent", stats.Sent),
            ("zk_num_alive_connections", connections.Count),
            ("zk_outstanding_requests", connections.Sum(c => c.Outstanding)),
            ("zk_znode_count", status?.NodeCount ?? 0),
            ("zk_watch_count", watches.Sum(w => w.Watches)),
            ("zk_ephemerals_count", status?.EphemeralCount ?? 0),
            ("zk_approximate_data_size", status?.ApproximateDataSize ?? 0),
            ("zk_open_file_descriptor_count", OpenFileDescriptors()),
            ("zk_max_file_descriptor_count", MaxFileDescriptors()),
            ("zk_global_sessions", status?.SessionCount ?? 0),
            ("zk_last_zxid", $"0x{status?.AppliedZxid ?? 0:x}"),
            ("zk_uptime", (long)(DateTimeOffset.UtcNow - Started).TotalMilliseconds),
        };
        if (mode == "leader" && status is not null)
        {
            var voters = (server.Service.Ensemble ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Length;
            lines.Add(("zk_learners", voters - 1));
            lines.Add(("zk_synced_followers", status.FollowersInSync.Count));
        }
        // The replica's write stages (ZooKeeper's summary keys: avg_, max_, cnt_, sum_, p50_, p99_; ms).
        foreach (var stage in (status?.Stages ?? []).Select(server.SinceReset))
            AddSummary(lines, stage, StageQuantiles);
        // The client port's request latencies, as ZooKeeper's summaries of the same names (it counts
        // whole ms from the request's arrival to its answer; these are µs, given in ms).
        AddSummary(lines, StageLatency.Of("readlatency", server.ReadTimes), RequestQuantiles);
        AddSummary(lines, StageLatency.Of("updatelatency", server.UpdateTimes), RequestQuantiles);
        // The silo process's memory (not ZooKeeper keys; ZooKeeper's JVM reports its own elsewhere):
        // resident set, and the .NET heap as of the last collection (size, the free space inside it,
        // and what the collector holds committed), which tell live data from the collector's slack.
        var gc = GC.GetGCMemoryInfo();
        lines.Add(("zk_resident_bytes", Environment.WorkingSet));
        lines.Add(("zk_gc_heap_bytes", gc.HeapSizeBytes));
        lines.Add(("zk_gc_fragmented_bytes", gc.FragmentedBytes));
        lines.Add(("zk_gc_committed_bytes", gc.TotalCommittedBytes));
        lines.Add(("zk_gc_collections", GC.CollectionCount(0)));
        // Time the collector stopped the process, in total since start (ms) and in its last collection:
        // with zk_gc_collections, how much of a latency tail pauses can explain.
        lines.Add(("zk_gc_pause_ms", Math.Round(GC.GetTotalPauseDuration().TotalMilliseconds, 3)));
        lines.Add(("zk_gc_last_pause_ms", Math.Round(LastPauseMs(gc), 3)));
        var sb = new StringBuilder();
        foreach (var (key, value) in lines) sb.Append(key).Append('\t').Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append('\n');
        return sb.ToString();
    }

    private static readonly DateTimeOffset Started = DateTimeOffset.UtcNow;

    /// <summary>srst: as ZooKeeper, the counts, latencies and summaries mntr reports start again.</summary>
    private async Task<string> ResetAsync(CancellationToken ct)
    {
        var (_, status) = await ReplicaAsync(ct);
        server.ResetStats(status?.Stages);
        return "Server stats reset.\n";
    }

    private static readonly (string Key, double Quantile)[] StageQuantiles = [("p50", 0.5), ("p99", 0.99)];
    private static readonly (string Key, double Quantile)[] RequestQuantiles = [("p50", 0.5), ("p95", 0.95), ("p99", 0.99), ("p999", 0.999)];

    /// <summary>One summary as ZooKeeper's keys (avg_, max_, cnt_, sum_, then the quantiles; ms).</summary>
    private static void AddSummary(List<(string, object)> lines, StageLatency summary, (string Key, double Quantile)[] quantiles)
    {
        var name = summary.Name;
        lines.Add(($"zk_avg_{name}", Math.Round(summary.AverageMs, 3)));
        lines.Add(($"zk_max_{name}", summary.MaxUs / 1000.0));
        lines.Add(($"zk_cnt_{name}", summary.Count));
        lines.Add(($"zk_sum_{name}", summary.SumUs / 1000.0));
        foreach (var (key, quantile) in quantiles)
            lines.Add(($"zk_{key}_{name}", Math.Min(summary.QuantileMs(quantile), summary.MaxUs / 1000.0))); // a bucket's top, never above the maximum
    }

    /// <summary>The longest stop of the last collection (a background collection stops the process briefly twice).</summary>
    private static double LastPauseMs(GCMemoryInfo gc)
    {
        var longest = TimeSpan.Zero;
        foreach (var pause in gc.PauseDurations)
            if (pause > longest) longest = pause;
        return longest.TotalMilliseconds;
    }

    /// <summary>The silo process's open file descriptors (the entries of /proc/self/fd); -1 where there is no /proc.</summary>
    private static long OpenFileDescriptors()
    {
        try
        {
            return Directory.EnumerateFileSystemEntries("/proc/self/fd").LongCount();
        }
        catch (IOException)
        {
            return -1;
        }
        catch (UnauthorizedAccessException)
        {
            return -1;
        }
    }

    /// <summary>The process's soft limit on open files ("Max open files" of /proc/self/limits); -1 where unknown or unlimited.</summary>
    private static long MaxFileDescriptors()
    {
        try
        {
            var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            var soft = line?["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            return long.TryParse(soft, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) ? limit : -1;
        }
        catch (IOException)
        {
            return -1;
        }
        catch (UnauthorizedAccessException)
        {
            return -1;
        }
    }

    private string Conf()
    {
        var s = server.Service;
        var sb = new StringBuilder();
        void Line(string key, object value) => sb.Append(key).Append('=').Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append('\n');
        Line("clientPort", server.LocalEndPoint?.Port ?? s.ClientPort);
        Line("secureClientPort", -1);
        Line("dataDir", Path.Combine(s.DataDir, $"replica-{s.ReplicaId}"));
        Line("dataLogDir", Path.Combine(s.DataDir, $"replica-{s.ReplicaId}"));
        Line("tickTime", s.TickTimeMs);
        Line("maxClientCnxns", 0);
        Line("minSessionTimeout", s.EffectiveMinSessionTimeoutMs);
        Line("maxSessionTimeout", s.EffectiveMaxSessionTimeoutMs);
        Line("clientPortListenBacklog", 512);
        Line("serverId", s.ReplicaId);
        Line("jute.maxbuffer", server.Options.MaxFrameBytes);
        Line("4lw.commands.whitelist", server.Options.FourLetterWords);
        return sb.ToString();
    }

    private string Cons()
    {
        var sb = new StringBuilder();
        foreach (var c in server.Connections) sb.Append(ConnectionLine(c, brief: false)).Append('\n');
        sb.Append('\n');
        return sb.ToString();
    }

    private static string Envi()
    {
        var sb = new StringBuilder("Environment:\n");
        void Line(string key, string? value) => sb.Append(key).Append('=').Append(value ?? "<NA>").Append('\n');
        Line("zookeeper.version", Version);
        Line("host.name", Environment.MachineName);
        Line("dotnet.version", Environment.Version.ToString());
        Line("os.name", System.Runtime.InteropServices.RuntimeInformation.OSDescription);
        Line("os.arch", System.Runtime.InteropServices.RuntimeInformation.OSArchitecture.ToString());
        Line("user.name", Environment.UserName);
        Line("user.dir", Environment.CurrentDirectory);
        Line("process.id", Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Line("processor.count", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    private string Wchs()
    {
        var summaries = server.Connections.Select(c => c.WatchSummary()).Where(w => w.Watches > 0).ToList();
        var paths = summaries.SelectMany(w => w.Paths).Distinct().Count();
        return Inv($"{summaries.Count} connections watching {paths} paths\nTotal watches:{summaries.Sum(w => w.Watches)}\n");
    }

    /// <summary>ZooKeeper's <c>dumpConnectionInfo</c>: " /ip:port[1](queued=..,recved=..,sent=..[,sid=..,...])".</summary>
    private static string ConnectionLine(WireConnection c, bool brief)
    {
        var sb = new StringBuilder();
        sb.Append(Inv($" /{c.RemoteEndPoint.Address}:{c.RemoteEndPoint.Port}[1](queued={c.Outstanding},recved={c.Stats.Received},sent={c.Stats.Sent}"));
        if (!brief && c.SessionId != 0)
        {
            sb.Append(Inv($",sid=0x{c.SessionId:x},lop={c.LastOperation},est={c.Established.ToUnixTimeMilliseconds()},to={c.SessionTimeoutMs}"));
            if (c.LastXid >= 0) sb.Append(Inv($",lcxid=0x{c.LastXid:x}"));
            sb.Append(Inv($",lzxid=0x{c.LastZxid:x},lresp={c.LastResponseMs},llat={c.Stats.LastLatencyMs},minlat={c.Stats.MinLatencyMs},avglat={Avg(c.Stats.AvgLatencyMs)},maxlat={c.Stats.MaxLatencyMs}"));
        }
        sb.Append(')');
        return sb.ToString();
    }

    /// <summary>A mean as Java prints a double: at least one decimal ("0.0", "1.25").</summary>
    private static string Avg(double value)
    {
        var text = value.ToString("0.0###", CultureInfo.InvariantCulture);
        return text;
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
