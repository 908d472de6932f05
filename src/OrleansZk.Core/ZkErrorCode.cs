using Orleans;

namespace OrleansZk.Core;

/// <summary>ZooKeeper's result codes, with ZooKeeper's names and numeric values (KeeperException.Code).</summary>
[GenerateSerializer, Alias("zk.ZkErrorCode")]
public enum ZkErrorCode
{
    Ok = 0,
    SystemError = -1,
    RuntimeInconsistency = -2,
    DataInconsistency = -3,
    ConnectionLoss = -4,
    MarshallingError = -5,
    Unimplemented = -6,
    OperationTimeout = -7,
    BadArguments = -8,
    UnknownSession = -12,
    NewConfigNoQuorum = -13,
    ReconfigInProgress = -14,
    ApiError = -100,
    NoNode = -101,
    NoAuth = -102,
    BadVersion = -103,
    NoChildrenForEphemerals = -108,
    NodeExists = -110,
    NotEmpty = -111,
    SessionExpired = -112,
    InvalidCallback = -113,
    InvalidAcl = -114,
    AuthFailed = -115,
    SessionMoved = -118,
    NotReadOnly = -119,
    EphemeralOnLocalSession = -120,
    NoWatcher = -121,
    RequestTimeout = -122,
    ReconfigDisabled = -123,
    SessionClosedRequireSaslAuth = -124,
    QuotaExceeded = -125,
    Throttled = -127,
}

/// <summary>ZooKeeper's error text for each code, as KeeperException.getCodeMessage gives it.</summary>
public static class ZkErrorCodes
{
    /// <summary>The message ZooKeeper's Java client uses for the code, e.g. "NoNode" for NoNode.</summary>
    public static string Describe(ZkErrorCode code) => code switch
    {
        ZkErrorCode.Ok => "ok",
        ZkErrorCode.SystemError => "SystemError",
        ZkErrorCode.RuntimeInconsistency => "RuntimeInconsistency",
        ZkErrorCode.DataInconsistency => "DataInconsistency",
        ZkErrorCode.ConnectionLoss => "ConnectionLoss",
        ZkErrorCode.MarshallingError => "MarshallingError",
        ZkErrorCode.Unimplemented => "Unimplemented",
        ZkErrorCode.OperationTimeout => "OperationTimeout",
        ZkErrorCode.BadArguments => "BadArguments",
        ZkErrorCode.UnknownSession => "Unknown session",
        ZkErrorCode.NewConfigNoQuorum => "NewConfigNoQuorum",
        ZkErrorCode.ReconfigInProgress => "ReconfigInProgress",
        ZkErrorCode.ApiError => "APIError",
        ZkErrorCode.NoNode => "NoNode",
        ZkErrorCode.NoAuth => "NoAuth",
        ZkErrorCode.BadVersion => "BadVersion",
        ZkErrorCode.NoChildrenForEphemerals => "NoChildrenForEphemerals",
        ZkErrorCode.NodeExists => "NodeExists",
        ZkErrorCode.NotEmpty => "Directory not empty",
        ZkErrorCode.SessionExpired => "Session expired",
        ZkErrorCode.InvalidCallback => "Invalid callback",
        ZkErrorCode.InvalidAcl => "InvalidACL",
        ZkErrorCode.AuthFailed => "AuthFailed",
        ZkErrorCode.SessionMoved => "Session moved",
        ZkErrorCode.NotReadOnly => "Not a read-only call",
        ZkErrorCode.EphemeralOnLocalSession => "Ephemeral node on local session",
        ZkErrorCode.NoWatcher => "No such watcher",
        ZkErrorCode.RequestTimeout => "Request timeout",
        ZkErrorCode.ReconfigDisabled => "Reconfig is disabled",
        ZkErrorCode.SessionClosedRequireSaslAuth => "Session closed because client failed to authenticate",
        ZkErrorCode.QuotaExceeded => "Quota has exceeded",
        ZkErrorCode.Throttled => "Op throttled due to high load",
        _ => "Unknown error " + (int)code,
    };
}
