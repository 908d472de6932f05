namespace OrleansZk.Core;

// One exception type per error code a client meets, as ZooKeeper's KeeperException.NoNodeException
// and friends: catch the specific type, or ZkException and switch on Code.

public sealed class NoNodeException(string? path = null, string? detail = null) : ZkException(ZkErrorCode.NoNode, path, detail);
public sealed class NodeExistsException(string? path = null, string? detail = null) : ZkException(ZkErrorCode.NodeExists, path, detail);
public sealed class BadVersionException(string? path = null, string? detail = null) : ZkException(ZkErrorCode.BadVersion, path, detail);
public sealed class NotEmptyException(string? path = null, string? detail = null) : ZkException(ZkErrorCode.NotEmpty, path, detail);
public sealed class NoAuthException(string? path = null, string? detail = null) : ZkException(ZkErrorCode.NoAuth, path, detail);
public sealed class NoChildrenForEphemeralsException(string? path = null, string? detail = null) : ZkException(ZkErrorCode.NoChildrenForEphemerals, path, detail);
public sealed class InvalidAclException(string? path = null, string? detail = null) : ZkException(ZkErrorCode.InvalidAcl, path, detail);
public sealed class BadArgumentsException(string? path = null, string? detail = null) : ZkException(ZkErrorCode.BadArguments, path, detail);
public sealed class AuthFailedException(string? path = null, string? detail = null) : ZkException(ZkErrorCode.AuthFailed, path, detail);
public sealed class SessionExpiredException(string? path = null, string? detail = null) : ZkException(ZkErrorCode.SessionExpired, path, detail);
public class ConnectionLossException(string? path = null, string? detail = null) : ZkException(ZkErrorCode.ConnectionLoss, path, detail);
public sealed class OperationTimeoutException(string? path = null, string? detail = null) : ZkException(ZkErrorCode.OperationTimeout, path, detail);
public sealed class UnimplementedException(string? path = null, string? detail = null) : ZkException(ZkErrorCode.Unimplemented, path, detail);
public sealed class SystemErrorException(string? path = null, string? detail = null) : ZkException(ZkErrorCode.SystemError, path, detail);
public sealed class RuntimeInconsistencyException(string? path = null, string? detail = null) : ZkException(ZkErrorCode.RuntimeInconsistency, path, detail);
public sealed class MarshallingErrorException(string? path = null, string? detail = null) : ZkException(ZkErrorCode.MarshallingError, path, detail);
public sealed class UnknownSessionException(string? path = null, string? detail = null) : ZkException(ZkErrorCode.UnknownSession, path, detail);
public sealed class NoWatcherException(string? path = null, string? detail = null) : ZkException(ZkErrorCode.NoWatcher, path, detail);
public sealed class SessionMovedException(string? path = null, string? detail = null) : ZkException(ZkErrorCode.SessionMoved, path, detail);
public sealed class QuotaExceededException(string? path = null, string? detail = null) : ZkException(ZkErrorCode.QuotaExceeded, path, detail);
public sealed class RequestTimeoutException(string? path = null, string? detail = null) : ZkException(ZkErrorCode.RequestTimeout, path, detail);
public sealed class ThrottledException(string? path = null, string? detail = null) : ZkException(ZkErrorCode.Throttled, path, detail);

public partial class ZkException
{
    /// <summary>The typed exception for <paramref name="code"/> (a plain <see cref="ZkException"/> for codes without one).</summary>
    public static ZkException For(ZkErrorCode code, string? path = null, string? detail = null) => code switch
    {
        ZkErrorCode.NoNode => new NoNodeException(path, detail),
        ZkErrorCode.NodeExists => new NodeExistsException(path, detail),
        ZkErrorCode.BadVersion => new BadVersionException(path, detail),
        ZkErrorCode.NotEmpty => new NotEmptyException(path, detail),
        ZkErrorCode.NoAuth => new NoAuthException(path, detail),
        ZkErrorCode.NoChildrenForEphemerals => new NoChildrenForEphemeralsException(path, detail),
        ZkErrorCode.InvalidAcl => new InvalidAclException(path, detail),
        ZkErrorCode.BadArguments => new BadArgumentsException(path, detail),
        ZkErrorCode.AuthFailed => new AuthFailedException(path, detail),
        ZkErrorCode.SessionExpired => new SessionExpiredException(path, detail),
        ZkErrorCode.ConnectionLoss => new ConnectionLossException(path, detail),
        ZkErrorCode.OperationTimeout => new OperationTimeoutException(path, detail),
        ZkErrorCode.Unimplemented => new UnimplementedException(path, detail),
        ZkErrorCode.SystemError => new SystemErrorException(path, detail),
        ZkErrorCode.RuntimeInconsistency => new RuntimeInconsistencyException(path, detail),
        ZkErrorCode.MarshallingError => new MarshallingErrorException(path, detail),
        ZkErrorCode.UnknownSession => new UnknownSessionException(path, detail),
        ZkErrorCode.NoWatcher => new NoWatcherException(path, detail),
        ZkErrorCode.SessionMoved => new SessionMovedException(path, detail),
        ZkErrorCode.QuotaExceeded => new QuotaExceededException(path, detail),
        ZkErrorCode.RequestTimeout => new RequestTimeoutException(path, detail),
        ZkErrorCode.Throttled => new ThrottledException(path, detail),
        _ => new ZkException(code, path, detail),
    };
}
