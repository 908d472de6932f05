namespace OrleansZk.Core;

/// <summary>
/// A ZooKeeper error: a <see cref="ZkErrorCode"/>, the path it concerns (if any), and a message
/// in ZooKeeper's form ("KeeperErrorCode = NoNode for /a").
/// </summary>
public partial class ZkException : Exception
{
    public ZkException(ZkErrorCode code, string? path = null, string? detail = null)
        : base(Format(code, path, detail))
    {
        Code = code;
        Path = path;
        Detail = detail;
    }

    /// <summary>ZooKeeper's numeric code.</summary>
    public ZkErrorCode Code { get; }

    /// <summary>The path the error concerns, or null.</summary>
    public string? Path { get; }

    /// <summary>Why, beyond the code (e.g. the path validation reason), or null.</summary>
    public string? Detail { get; }

    /// <summary>For a failed multi: every op's result (the failing op its code, the others Ok or RuntimeInconsistency).</summary>
    public IReadOnlyList<OpResult>? Results { get; init; }

    private static string Format(ZkErrorCode code, string? path, string? detail)
    {
        var text = "KeeperErrorCode = " + ZkErrorCodes.Describe(code);
        if (path != null) text += " for " + path;
        if (detail != null) text += ": " + detail;
        return text;
    }
}
