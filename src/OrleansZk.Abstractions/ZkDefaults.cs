namespace OrleansZk;

/// <summary>Names silos and clients must agree on.</summary>
public static class ZkDefaults
{
    /// <summary>The Orleans cluster id of an OrleansZk service (silos and clients).</summary>
    public const string ClusterId = "orleanszk";

    /// <summary>The Orleans service id of an OrleansZk service.</summary>
    public const string ServiceId = "orleanszk";

    /// <summary>The Orleans stream provider carrying watch events (memory streams; silos and clients register it under this name).</summary>
    public const string StreamProvider = "orleanszk";

    /// <summary>The stream namespace of watch events; the stream key is the session id.</summary>
    public const string WatchStreamNamespace = "orleanszk.watch";

    /// <summary>The grain storage memory streams keep their subscriptions in (Orleans' fixed name).</summary>
    public const string PubSubStore = "PubSubStore";

    /// <summary>
    /// How many memory stream queues carry watch events. Each is polled (a grain call) every
    /// WatchPollMs (a silo setting) whether or not anything is watched, so one: four cost a
    /// measurable share of a small silo's CPU on idle polling (docs/watches.md).
    /// </summary>
    public const int StreamQueues = 1;

    public const int GatewayPort = 30000;
    public const int SiloPort = 11111;
}
