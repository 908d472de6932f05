using Orleans;

namespace OrleansZk.Core;

/// <summary>
/// A znode's stat as clients see it: ZooKeeper's eleven fields. zxid = (epoch &lt;&lt; 32) | counter;
/// times are milliseconds since the Unix epoch, fixed by the leader when it prepared the change.
/// </summary>
[GenerateSerializer, Immutable, Alias("zk.Stat")]
public readonly record struct Stat(
    long Czxid,
    long Mzxid,
    long Ctime,
    long Mtime,
    int Version,
    int Cversion,
    int Aversion,
    long EphemeralOwner,
    int DataLength,
    int NumChildren,
    long Pzxid);
