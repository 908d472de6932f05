using Orleans;

namespace OrleansZk.Core;

/// <summary>ZooKeeper's node kinds, with ZooKeeper's flag values (CreateMode.toFlag).</summary>
[GenerateSerializer, Alias("zk.CreateMode")]
public enum CreateMode
{
    Persistent = 0,
    Ephemeral = 1,
    PersistentSequential = 2,
    EphemeralSequential = 3,
    Container = 4,
    PersistentWithTtl = 5,
    PersistentSequentialWithTtl = 6,
}

public static class CreateModes
{
    public static bool IsEphemeral(this CreateMode m) => m is CreateMode.Ephemeral or CreateMode.EphemeralSequential;
    public static bool IsSequential(this CreateMode m) =>
        m is CreateMode.PersistentSequential or CreateMode.EphemeralSequential or CreateMode.PersistentSequentialWithTtl;
    public static bool IsContainer(this CreateMode m) => m == CreateMode.Container;
    public static bool IsTtl(this CreateMode m) => m is CreateMode.PersistentWithTtl or CreateMode.PersistentSequentialWithTtl;
    public static bool IsDefined(this CreateMode m) => m >= CreateMode.Persistent && m <= CreateMode.PersistentSequentialWithTtl;
}

/// <summary>
/// How ZooKeeper encodes a node's kind in its stored ephemeralOwner (EphemeralType, with extended
/// types enabled): 0 persistent, 0x8000000000000000 container, 0xFF00_0000_0000_0000 | ttl for TTL
/// nodes, anything else the owning session id.
/// </summary>
public static class EphemeralOwners
{
    public const long Container = long.MinValue;
    private const long TtlMask = unchecked((long)0xFF00000000000000UL);

    /// <summary>The largest TTL in milliseconds (ZooKeeper's EphemeralType.TTL.maxValue(): 2^40 - 1).</summary>
    public const long MaxTtlMs = 0x000000FFFFFFFFFFL;

    public static long ForTtl(long ttlMs) => TtlMask | ttlMs;
    private const long ReservedMask = 0x00FFFF0000000000L;

    public static bool IsTtl(long owner) => (owner & TtlMask) == TtlMask && (owner & ReservedMask) == 0;
    public static long Ttl(long owner) => owner & MaxTtlMs;
    public static bool IsContainer(long owner) => owner == Container;

    /// <summary>A normal ephemeral: owned by a session.</summary>
    public static bool IsSessionOwned(long owner) => owner != 0 && !IsContainer(owner) && !IsTtl(owner);

    /// <summary>What ZooKeeper shows clients as ephemeralOwner: the session for ephemerals, 0 otherwise.</summary>
    public static long ClientVisible(long owner) => IsSessionOwned(owner) ? owner : 0;
}
