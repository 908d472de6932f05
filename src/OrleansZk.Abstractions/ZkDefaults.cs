namespace OrleansZk;

/// <summary>Names silos and clients must agree on.</summary>
public static class ZkDefaults
{
    /// <summary>The Orleans cluster id of an OrleansZk service (silos and clients).</summary>
    public const string ClusterId = "orleanszk";

    /// <summary>The Orleans service id of an OrleansZk service.</summary>
    public const string ServiceId = "orleanszk";

    /// <summary>Silo metadata key naming the replica a silo hosts (the replica placement director reads it).</summary>
    public const string ReplicaMetadataKey = "orleanszk.replica";

    public const int GatewayPort = 30000;
    public const int SiloPort = 11111;
}
