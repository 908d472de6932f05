namespace OrleansZk;

/// <summary>Names silos and clients must agree on.</summary>
public static class ZkDefaults
{
    /// <summary>The Orleans cluster id of an OrleansZk service (silos and clients).</summary>
    public const string ClusterId = "orleanszk";

    /// <summary>The Orleans service id of an OrleansZk service.</summary>
    public const string ServiceId = "orleanszk";

    public const int GatewayPort = 30000;
    public const int SiloPort = 11111;
}
