namespace OrleansZk.Core;

/// <summary>Limits and switches of request preparation.</summary>
public sealed record PreparerOptions
{
    /// <summary>
    /// The largest request, in bytes as ZooKeeper's jute encoding counts it (header, path, data, ACL
    /// and flags), like ZooKeeper's jute.maxbuffer (default 0xfffff). A larger request is a
    /// BadArguments error that names the sizes; it consumes no zxid and changes nothing.
    /// </summary>
    public int MaxRequestBytes { get; init; } = 0xfffff;

    /// <summary>TTL nodes (on by default here; ZooKeeper needs zookeeper.extendedTypesEnabled). Off: Unimplemented.</summary>
    public bool TtlEnabled { get; init; } = true;
}
