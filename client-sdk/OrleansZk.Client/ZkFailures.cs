using System.Net.Sockets;
using Orleans.Runtime;
using Orleans.Serialization;
using OrleansZk.Core;

namespace OrleansZk.Client;

/// <summary>How failures reach SDK callers: always as a <see cref="ZkException"/> subtype (or a cancellation).</summary>
internal static class ZkFailures
{
    /// <summary>The client was closed: as ZooKeeper 3.8's Java client, a call on a closed handle is SessionExpired.</summary>
    public static SessionExpiredException Closed() => new(null, "client closed");

    /// <summary>
    /// What a caller sees for <paramref name="e"/>: ZooKeeper errors and cancellations as they are;
    /// transport failures (Orleans timeouts, unreachable silos or gateways, rejected messages) as
    /// ConnectionLoss — the outcome of the call is then unknown; anything else as SystemError.
    /// </summary>
    public static Exception Translate(Exception e) => e switch
    {
        ZkException or OperationCanceledException => e,
        TimeoutException or OrleansException or SocketException or IOException or ObjectDisposedException
            => new ConnectionLossException(null, Describe(e)),
        ReplicaUnavailableException => new ConnectionLossException(null, Describe(e)),
        NotLeaderException notLeader => new LeaderChangedException(notLeader.LeaderId, notLeader.Message),
        _ => new SystemErrorException(null, Describe(e)),
    };

    /// <summary>
    /// Core's validation throws the base <see cref="ZkException"/>; SDK callers catch the typed
    /// ones, so the same error is raised as its subtype.
    /// </summary>
    public static void Validate(ZkRequest request) => Typed(() => ClientValidation.Validate(request));

    /// <summary>ZooKeeper's path check, for calls without a request type (sync).</summary>
    public static void ValidatePath(string path) => Typed(() => ZkPath.Validate(path));

    private static void Typed(Action validate)
    {
        try
        {
            validate();
        }
        catch (ZkException e) when (e.GetType() == typeof(ZkException))
        {
            throw ZkException.For(e.Code, e.Path, e.Detail);
        }
    }

    /// <summary>The typed exception for a failed write; a failed multi's carries every op's result.</summary>
    public static ZkException ForWrite(WriteReply reply, string? path)
    {
        var errorPath = reply.ErrorPath ?? path;
        return reply.MultiResults is { } results
            ? ForMulti(reply.Code, errorPath, reply.Detail, results)
            : ZkException.For(reply.Code, errorPath, reply.Detail);
    }

    // ZkException.Results is init-only, so it is set where each subtype is made: these are the
    // codes a multi's op can fail with; any other keeps its code on the base type.
    private static ZkException ForMulti(ZkErrorCode code, string? path, string? detail, IReadOnlyList<OpResult> results) => code switch
    {
        ZkErrorCode.NoNode => new NoNodeException(path, detail) { Results = results },
        ZkErrorCode.NodeExists => new NodeExistsException(path, detail) { Results = results },
        ZkErrorCode.BadVersion => new BadVersionException(path, detail) { Results = results },
        ZkErrorCode.NotEmpty => new NotEmptyException(path, detail) { Results = results },
        ZkErrorCode.NoAuth => new NoAuthException(path, detail) { Results = results },
        ZkErrorCode.NoChildrenForEphemerals => new NoChildrenForEphemeralsException(path, detail) { Results = results },
        ZkErrorCode.InvalidAcl => new InvalidAclException(path, detail) { Results = results },
        ZkErrorCode.BadArguments => new BadArgumentsException(path, detail) { Results = results },
        ZkErrorCode.Unimplemented => new UnimplementedException(path, detail) { Results = results },
        ZkErrorCode.QuotaExceeded => new QuotaExceededException(path, detail) { Results = results },
        ZkErrorCode.RuntimeInconsistency => new RuntimeInconsistencyException(path, detail) { Results = results },
        _ => new ZkException(code, path, detail) { Results = results },
    };

    private static string? ExceptionTypeName(Exception e) =>
        e is UnavailableExceptionFallbackException fallback ? fallback.ExceptionType : e.GetType().FullName;

    private static string Describe(Exception e) => (ExceptionTypeName(e) ?? e.GetType().Name) + ": " + e.Message;
}

/// <summary>
/// The replica called is not the leader (an election, or the leader moved): ConnectionLoss to the
/// caller — the call was not admitted, but the client reports it like any loss of contact — with the
/// leader it names, if any, for the client's next attempt.
/// </summary>
internal sealed class LeaderChangedException(long? leaderId, string detail) : ConnectionLossException(null, detail)
{
    public long? LeaderId { get; } = leaderId;
}
