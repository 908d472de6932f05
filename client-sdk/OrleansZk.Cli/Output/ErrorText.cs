using OrleansZk.Core;

namespace OrleansZk.Cli.Output;

/// <summary>The error texts zkCli prints for ZooKeeper errors.</summary>
internal static class ErrorText
{
    /// <summary>
    /// zkCli's <c>CliWrapperException</c> text: friendly wording for the common codes
    /// ("Node does not exist: /a"), else the Java client's <see cref="KeeperMessage"/>. A missing
    /// path prints as "null", as Java's string concatenation does.
    /// </summary>
    public static string Cli(ZkErrorCode code, string? path)
    {
        var p = path ?? "null";
        return code switch
        {
            ZkErrorCode.NoNode => "Node does not exist: " + p,
            ZkErrorCode.NoChildrenForEphemerals => "Ephemerals cannot have children: " + p,
            ZkErrorCode.NodeExists => "Node already exists: " + p,
            ZkErrorCode.NotEmpty => "Node not empty: " + p,
            ZkErrorCode.NotReadOnly => "Not a read-only call: " + p,
            ZkErrorCode.InvalidAcl => "Acl is not valid : " + p,
            ZkErrorCode.NoAuth => "Insufficient permission : " + p,
            ZkErrorCode.BadArguments => "Arguments are not valid : " + p,
            ZkErrorCode.BadVersion => "version No is not valid : " + p,
            ZkErrorCode.ReconfigInProgress => "Another reconfiguration is in progress -- concurrent reconfigs not supported (yet)",
            ZkErrorCode.NewConfigNoQuorum => "No quorum of new config is connected and up-to-date with the leader of last commmitted config - try invoking reconfiguration after new servers are connected and synced",
            ZkErrorCode.QuotaExceeded => "Quota has exceeded : " + p,
            _ => KeeperMessage(code, path),
        };
    }

    /// <summary>The Java client's <c>KeeperException.getMessage</c>: "KeeperErrorCode = NoNode for /a".</summary>
    public static string KeeperMessage(ZkErrorCode code, string? path) =>
        string.IsNullOrEmpty(path)
            ? "KeeperErrorCode = " + CodeMessage(code)
            : "KeeperErrorCode = " + CodeMessage(code) + " for " + path;

    /// <summary>
    /// ZooKeeper 3.8's <c>KeeperException.getCodeMessage</c>. It is Core's
    /// <see cref="ZkErrorCodes.Describe"/> but for the codes 3.8 has no text for, which print as unknown.
    /// </summary>
    private static string CodeMessage(ZkErrorCode code) => code switch
    {
        ZkErrorCode.UnknownSession => "Unknown error UNKNOWNSESSION",
        ZkErrorCode.RequestTimeout => "Unknown error REQUESTTIMEOUT",
        _ => ZkErrorCodes.Describe(code),
    };
}
