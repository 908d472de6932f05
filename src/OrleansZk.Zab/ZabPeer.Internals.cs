namespace OrleansZk.Zab;

/// <summary>What the roles may do to their peer: send, persist epochs, change the log, commit, swap roles.</summary>
public sealed partial class ZabPeer
{
    internal void Send(ZabMessage m) => outbox.Add(m);

    /// <summary>A leader's PROPOSAL: leaves when the Ready is taken (<see cref="Zab.Ready.Proposals"/>).</summary>
    internal void SendProposal(ZabMessage m) => proposals.Add(m);

    internal void Broadcast(Func<int, ZabMessage> make)
    {
        foreach (int p in Config.Peers) if (p != Id) outbox.Add(make(p));
    }

    internal void SetHard(HardState hs)
    {
        if (hs.CurrentEpoch < Hard.CurrentEpoch || hs.AcceptedEpoch < Hard.AcceptedEpoch)
            throw new InvalidOperationException($"epochs never decrease: {Hard} -> {hs}");
        if (hs == Hard) return;
        Hard = hs;
        hardDirty = true;
    }

    internal void Append(LogEntry t) => Log.Append(t);

    internal void TruncateAfter(long zxid) => Log.TruncateAfter(zxid);

    /// <summary>Installs a snapshot from the leader. If our committed point is already at or past
    /// it, our state stays and the log keeps its committed prefix (which is the leader's history)
    /// and drops the rest: resetting it would leave a log that starts after our newest durable
    /// snapshot, which no restart could replay.</summary>
    internal void InstallSnapshot(ZabSnapshot snap)
    {
        if (snap.Zxid <= Committed) { Log.TruncateAfter(Committed); return; }
        pendingSnapshot = snap;
        Log.Reset(snap.Zxid);
        Committed = appliedZxid = snap.Zxid;
    }

    /// <summary>Moves the commit point forward to <paramref name="zxid"/> (never past the log's end).</summary>
    internal void CommitTo(long zxid)
    {
        long c = Math.Min(zxid, Log.LastZxid);
        if (c > Committed) Committed = c;
    }

    /// <summary>Our own vote: the current epoch (never the accepted one) and last zxid.</summary>
    internal Vote SelfVote() => new(Id, Hard.CurrentEpoch, Log.LastZxid);

    internal void BecomeLooking() { ElectionRound++; RoleVersion++; role = new ElectionRole(this); }

    internal void BecomeFollowing(int leader, long round) { ElectionRound = round; RoleVersion++; role = new FollowerRole(this, leader); }

    internal void BecomeLeading(long round) { ElectionRound = round; RoleVersion++; role = new LeaderRole(this); }

    internal bool IsQuorum(int count) => Quorum.IsQuorum(count, ClusterSize);

    /// <summary>Reports that leadership checks through <paramref name="token"/> are confirmed (in the next Ready).</summary>
    internal void ReportConfirmed(long token)
    {
        if (token > confirmedOut) confirmedOut = token;
    }

    /// <summary>Answers a looking replica's notification with our settled vote (late joiners learn the outcome).</summary>
    internal void AnswerLooking(ZabMessage m, Vote settled, PeerState state)
    {
        if (m.State == PeerState.Looking) Answer(m.From, settled, state);
    }

    internal void Answer(int to, Vote settled, PeerState state) =>
        Send(new ZabMessage { Type = MessageType.Vote, From = Id, To = to, Round = ElectionRound, State = state, Vote = settled });
}

/// <summary>Behaviour of one state of a replica. A role object lives until the peer swaps it.</summary>
internal abstract class Role(ZabPeer peer)
{
    protected ZabPeer Peer { get; } = peer;
    protected ZabConfig Config => Peer.Config;
    public abstract PeerState State { get; }
    public abstract ZabPhase Phase { get; }
    public virtual int? LeaderId => null;
    public virtual long SessionEpoch => 0;
    public virtual bool Established => false;
    public virtual bool HasPendingBroadcast => false;
    public virtual IReadOnlyList<int> SyncedFollowers => [];
    public abstract void Tick();
    public abstract void Step(ZabMessage m);
    public abstract ProposeResult Propose(byte[] payload);
    /// <summary>Proposes a payload built for the zxid it gets; only an established leader does.</summary>
    public virtual ProposeResult Propose(Func<long, byte[]> payloadFor) => new(ProposeStatus.NotLeader, 0, LeaderId);
    /// <summary>A leadership check was requested (only called on the established leader).</summary>
    public virtual void OnCheckRequested(long token) { }
    /// <summary>Called when the peer builds a Ready: flush batched broadcasts.</summary>
    public virtual void BeforeReady() { }
    /// <summary>The host learnt that a peer's process is gone (<see cref="ZabPeer.Unreachable"/>).</summary>
    public virtual void OnUnreachable(int peer) { }
}
