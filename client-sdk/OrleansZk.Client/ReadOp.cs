using OrleansZk.Core;

namespace OrleansZk.Client;

/// <summary>What one read of <see cref="ZkClient.MultiReadAsync"/> asks.</summary>
public enum ReadOpKind
{
    /// <summary>The node's data and stat.</summary>
    GetData = 1,

    /// <summary>The node's children.</summary>
    GetChildren = 2,
}

/// <summary>One read of <see cref="ZkClient.MultiReadAsync"/>.</summary>
public sealed record ReadOp(ReadOpKind Kind, string Path)
{
    /// <summary>getData of <paramref name="path"/>.</summary>
    public static ReadOp GetData(string path) => new(ReadOpKind.GetData, path);

    /// <summary>getChildren of <paramref name="path"/>.</summary>
    public static ReadOp GetChildren(string path) => new(ReadOpKind.GetChildren, path);
}

/// <summary>
/// One result of <see cref="ZkClient.MultiReadAsync"/>: Ok with the data and stat (getData) or the
/// children and stat (getChildren), or ZooKeeper's error code for that read alone.
/// </summary>
public sealed record ReadOpResult(ZkErrorCode Code, byte[]? Data, Stat? Stat, IReadOnlyList<string>? Children);
