using OrleansZk.Core;

namespace OrleansZk.Grains;

/// <summary>What a client's call asks of the leader's pipeline.</summary>
internal enum PendingKind
{
    /// <summary>A write: prepared, proposed, and answered once committed, applied and delivered.</summary>
    Write,
    /// <summary>A sync: answered once every write before it is applied, its events numbered and pushed, and a quorum confirmed the leadership.</summary>
    Sync,
    /// <summary>A watch re-registration: a barrier between two batches' deliveries.</summary>
    Barrier,
    /// <summary>Already answered (refused before it got a zxid): replies in its turn.</summary>
    Refused,
}

/// <summary>
/// A call waiting in the leader's pipeline, from admission to reply. Writes carry their zxid once
/// proposed; the others (markers) the zxid after which they take their turn.
/// </summary>
internal sealed class Pending(PendingKind kind, long sessionId, int xid, WriteRequest? request, AuthInfo auth)
{
    public Pending(long sessionId, Reregistration watches)
        : this(PendingKind.Barrier, sessionId, 0, null, AuthInfo.Anonymous) => Watches = watches;

    public PendingKind Kind = kind;
    public readonly long SessionId = sessionId;
    public readonly int Xid = xid;
    public readonly WriteRequest? Request = request;
    public readonly AuthInfo Auth = auth;
    public readonly Reregistration? Watches;

    /// <summary>Completed on the grain's scheduler; the reply is sent inline rather than after another thread-pool hop.</summary>
    public readonly TaskCompletionSource<WriteReply> Reply = new();

    /// <summary>When the leader admitted the call (a <see cref="System.Diagnostics.Stopwatch"/> timestamp).</summary>
    public readonly long Admitted = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>A write's zxid once proposed (0 before).</summary>
    public long Zxid;

    /// <summary>A marker's turn: once every txn up to this zxid is applied.</summary>
    public long AfterZxid;

    public Txn? Txn;
    public WriteReply? Outcome;
    public ApplyResult? Result;

    public bool IsMarker => Kind != PendingKind.Write;

    /// <summary>Fails the call (its outcome, for a write that was proposed, is unknown).</summary>
    public void Fail(WriteReply reply)
    {
        Reply.TrySetResult(reply);
        Watches?.Done.TrySetResult(new WatchesReply(reply.Code, 0, 0, 0, [], reply.Detail));
    }
}

/// <summary>A re-registration waiting in the pipeline.</summary>
internal sealed record Reregistration(long LastZxid, WatchSet Set, TaskCompletionSource<WatchesReply> Done);
