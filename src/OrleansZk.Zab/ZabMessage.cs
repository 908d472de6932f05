namespace OrleansZk.Zab;

/// <summary>Protocol message kinds, named after ZooKeeper's packets.</summary>
public enum MessageType
{
    /// <summary>Election notification: <see cref="ZabMessage.Vote"/>, <see cref="ZabMessage.Round"/>, <see cref="ZabMessage.State"/>.</summary>
    Vote,
    /// <summary>Follower → prospective leader: <see cref="ZabMessage.Epoch"/> = the follower's accepted epoch.</summary>
    FollowerInfo,
    /// <summary>Leader → follower (LEADERINFO): <see cref="ZabMessage.Epoch"/> = the new epoch.</summary>
    NewEpoch,
    /// <summary>Follower → leader: <see cref="ZabMessage.CurrentEpoch"/>, <see cref="ZabMessage.Zxid"/> = last zxid,
    /// <see cref="ZabMessage.Fresh"/>. Also sent during broadcast as a resync request.</summary>
    AckEpoch,
    /// <summary>Leader → follower: the sync plan and history (DIFF/TRUNC/SNAP and NEWLEADER in one message,
    /// because the transport does not keep order).</summary>
    NewLeader,
    /// <summary>Follower → leader: history synced and fsynced up to <see cref="ZabMessage.Zxid"/>.</summary>
    AckNewLeader,
    /// <summary>Leader → follower: established; commit up to <see cref="ZabMessage.Commit"/>.</summary>
    UpToDate,
    /// <summary>Leader → follower: consecutive new txns in <see cref="ZabMessage.Txns"/>.</summary>
    Proposal,
    /// <summary>Follower → leader: logged and fsynced everything up to <see cref="ZabMessage.Zxid"/> (cumulative).</summary>
    Ack,
    /// <summary>Leader → follower: everything up to <see cref="ZabMessage.Commit"/> is committed.</summary>
    Commit,
    /// <summary>Leader → follower heartbeat: <see cref="ZabMessage.Commit"/>, <see cref="ZabMessage.Zxid"/> = leader's last proposed.</summary>
    Ping,
    /// <summary>Follower → leader heartbeat reply: <see cref="ZabMessage.Zxid"/> = follower's last logged (cumulative ack).</summary>
    PingAck,
    /// <summary>Follower → leader: a forwarded client request in <see cref="ZabMessage.Payload"/>.</summary>
    Request,
}

/// <summary>
/// One protocol message. Every message after discovery's first exchange is fenced by
/// <see cref="Epoch"/>: the receiver drops it unless the epoch is that of its current leader session.
/// Immutable; the transport may deliver it any number of times, late, or never.
/// </summary>
public sealed record ZabMessage
{
    /// <summary>Kind.</summary>
    public required MessageType Type { get; init; }
    /// <summary>Sender id.</summary>
    public required int From { get; init; }
    /// <summary>Receiver id.</summary>
    public required int To { get; init; }
    /// <summary>Fencing epoch (see <see cref="MessageType"/> for per-kind meaning).</summary>
    public long Epoch { get; init; }
    /// <summary>A zxid (per-kind meaning).</summary>
    public long Zxid { get; init; }
    /// <summary>A commit point (UPTODATE, COMMIT, PING).</summary>
    public long Commit { get; init; }
    /// <summary>Election round (logical clock) of the sender.</summary>
    public long Round { get; init; }
    /// <summary>Sender's state in an election notification.</summary>
    public PeerState State { get; init; }
    /// <summary>The vote in an election notification.</summary>
    public Vote Vote { get; init; }
    /// <summary>ACKEPOCH: the follower's current epoch.</summary>
    public long CurrentEpoch { get; init; }
    /// <summary>ACKEPOCH: true if the follower promised this epoch to this leader (not to another one earlier).</summary>
    public bool Fresh { get; init; }
    /// <summary>NEWLEADER: the plan's kind.</summary>
    public SyncKind Kind { get; init; }
    /// <summary>NEWLEADER: the follower's last zxid the plan was made for; a follower whose log moved ignores the plan.</summary>
    public long FollowerLastZxid { get; init; }
    /// <summary>NEWLEADER with TRUNC: truncate after this zxid.</summary>
    public long TruncateAfter { get; init; }
    /// <summary>NEWLEADER with SNAP: the snapshot.</summary>
    public ZabSnapshot? Snapshot { get; init; }
    /// <summary>NEWLEADER, PROPOSAL: txns in zxid order.</summary>
    public IReadOnlyList<LogEntry> Txns { get; init; } = [];
    /// <summary>REQUEST: the forwarded payload.</summary>
    public byte[]? Payload { get; init; }
    /// <summary>PING: the newest leadership-check token the leader wants confirmed; PINGACK: echoed back.</summary>
    public long Context { get; init; }

    /// <inheritdoc/>
    public override string ToString() => MessageFormat.Describe(this);
}

/// <summary>Compact, stable, human-readable message text for traces and scenario scripts.</summary>
public static class MessageFormat
{
    /// <summary>E.g. <c>1->2 PROPOSAL e=2 [2:1 2:2]</c>.</summary>
    public static string Describe(ZabMessage m)
    {
        string head = $"{m.From}->{m.To} {Name(m.Type)}";
        string z(long x) => Zxid.Format(x);
        return m.Type switch
        {
            MessageType.Vote => $"{head} {m.State} round={m.Round} vote={m.Vote}",
            MessageType.FollowerInfo => $"{head} accepted={m.Epoch}",
            MessageType.NewEpoch => $"{head} e={m.Epoch}",
            MessageType.AckEpoch => $"{head} e={m.Epoch} current={m.CurrentEpoch} last={z(m.Zxid)}{(m.Fresh ? "" : " stale")}",
            MessageType.NewLeader => $"{head} e={m.Epoch} {m.Kind.ToString().ToUpperInvariant()}{SyncDetail(m)} for={z(m.FollowerLastZxid)}{Txns(m.Txns)}",
            MessageType.AckNewLeader => $"{head} e={m.Epoch} last={z(m.Zxid)}",
            MessageType.UpToDate or MessageType.Commit => $"{head} e={m.Epoch} commit={z(m.Commit)}",
            MessageType.Proposal => $"{head} e={m.Epoch}{Txns(m.Txns)}",
            MessageType.Ack => $"{head} e={m.Epoch} last={z(m.Zxid)}",
            MessageType.PingAck => $"{head} e={m.Epoch} last={z(m.Zxid)}{Ctx(m)}",
            MessageType.Ping => $"{head} e={m.Epoch} last={z(m.Zxid)} commit={z(m.Commit)}{Ctx(m)}",
            MessageType.Request => $"{head} {m.Payload?.Length ?? 0}B",
            _ => head,
        };
    }

    static string Name(MessageType t) => t switch
    {
        MessageType.FollowerInfo => "FOLLOWERINFO",
        MessageType.NewEpoch => "NEWEPOCH",
        MessageType.AckEpoch => "ACKEPOCH",
        MessageType.NewLeader => "NEWLEADER",
        MessageType.AckNewLeader => "ACKNEWLEADER",
        MessageType.UpToDate => "UPTODATE",
        MessageType.PingAck => "PINGACK",
        _ => t.ToString().ToUpperInvariant(),
    };

    static string Ctx(ZabMessage m) => m.Context == 0 ? "" : $" check={m.Context}";

    static string SyncDetail(ZabMessage m) => m.Kind switch
    {
        SyncKind.Trunc => $"(after {Zxid.Format(m.TruncateAfter)})",
        SyncKind.Snap => $"(snap {Zxid.Format(m.Snapshot?.Zxid ?? 0)})",
        _ => "",
    };

    static string Txns(IReadOnlyList<LogEntry> txns) =>
        txns.Count == 0 ? " []"
        : txns.Count <= 4 ? " [" + string.Join(' ', txns.Select(t => Zxid.Format(t.Zxid))) + "]"
        : $" [{Zxid.Format(txns[0].Zxid)}..{Zxid.Format(txns[^1].Zxid)} ({txns.Count})]";
}
