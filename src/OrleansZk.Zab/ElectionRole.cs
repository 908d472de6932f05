namespace OrleansZk.Zab;

/// <summary>
/// Phase 0, Election (ZooKeeper's FastLeaderElection, LOOKING state). The replica votes for the
/// best (epoch, zxid, id) it has heard of in its round, broadcasts its vote whenever it changes
/// and re-broadcasts on a backed-off timer; it decides once a quorum of the round's votes
/// matches its own. Replicas that already follow or lead answer with their settled vote, and a
/// looking replica joins an outcome that a quorum reports, provided the leader itself says it leads.
/// </summary>
internal sealed class ElectionRole : Role
{
    readonly Dictionary<int, Vote> received = [];
    readonly Dictionary<int, (Vote Vote, PeerState State, long Round)> settled = [];
    Vote vote;
    int backoffTicks, timerTicks;
    int finalizeTicks = -1; // counting down to a decision, -1 when no quorum matches our vote

    public ElectionRole(ZabPeer peer) : base(peer)
    {
        vote = peer.SelfVote();
        backoffTicks = Config.ElectionTimeoutTicks;
        received[peer.Id] = vote;
        BroadcastVote();
    }

    public override PeerState State => PeerState.Looking;
    public override ZabPhase Phase => ZabPhase.Election;
    public override int? LeaderId => null;

    public override void Tick()
    {
        if (received.Count == 1 && Peer.IsQuorum(1)) { Decide(); return; } // a cluster of one
        if (finalizeTicks >= 0 && --finalizeTicks <= 0) { Decide(); return; }
        if (++timerTicks < backoffTicks) return;
        timerTicks = -Peer.Rng.Next(0, 2); // jitter so that re-broadcasts do not stay in lockstep
        backoffTicks = Math.Min(backoffTicks * 2, Config.MaxElectionTimeoutTicks);
        BroadcastVote();
    }

    public override ProposeResult Propose(byte[] payload) => new(ProposeStatus.NotLeader, 0, null);

    public override void Step(ZabMessage m)
    {
        if (m.Type != MessageType.Vote) return;
        if (m.State == PeerState.Looking) OnLookingVote(m);
        else OnSettledVote(m);
    }

    void OnLookingVote(ZabMessage m)
    {
        long round = Peer.ElectionRound;
        if (m.Round > round)
        {
            Peer.ElectionRound = m.Round;
            received.Clear();
            vote = VoteOrder.Max(m.Vote, Peer.SelfVote());
            received[Peer.Id] = vote;
            BroadcastVote();
        }
        else if (m.Round < round)
        {
            SendVote(m.From); // bring the laggard to our round
            return;
        }
        else if (VoteOrder.Compare(m.Vote, vote) > 0)
        {
            vote = m.Vote;
            received[Peer.Id] = vote;
            BroadcastVote();
        }
        received[m.From] = m.Vote;
        TryDecide();
    }

    void OnSettledVote(ZabMessage m)
    {
        settled[m.From] = (m.Vote, m.State, m.Round);
        if (m.Round == Peer.ElectionRound)
        {
            // A replica that settled in our round on the leader we vote for counts toward our
            // decision (ZooKeeper's recvset): had its last looking vote been lost, we would
            // otherwise wait until it gave up on us. (A settled vote names the leader and its
            // session epoch, not the history it was elected with, so it matches on the leader.)
            received[m.From] = m.Vote.Leader == vote.Leader ? vote : m.Vote;
            long version = Peer.RoleVersion;
            TryDecide();
            if (Peer.RoleVersion != version) return;
        }
        int leader = m.Vote.Leader;
        if (leader == Peer.Id) return; // we are not leading: that outcome is stale
        if (!settled.TryGetValue(leader, out var l) || l.State != PeerState.Leading || l.Vote.Leader != leader) return;
        int count = 1 + settled.Count(kv => kv.Key != Peer.Id && kv.Value.Vote.Leader == leader && kv.Value.State != PeerState.Looking);
        if (Peer.IsQuorum(count)) Peer.BecomeFollowing(leader, Math.Max(Peer.ElectionRound, l.Round));
    }

    /// <summary>A quorum of the round matches our vote: decide at once if every replica's vote is in,
    /// else after FinalizeWait ticks unless a better vote arrives meanwhile.</summary>
    void TryDecide()
    {
        int count = received.Values.Count(v => v == vote);
        if (!Peer.IsQuorum(count)) { finalizeTicks = -1; return; }
        if (received.Count == Peer.ClusterSize) Decide();
        else if (finalizeTicks < 0) finalizeTicks = Config.FinalizeWaitTicks;
    }

    void Decide()
    {
        if (!Peer.IsQuorum(received.Values.Count(v => v == vote))) { finalizeTicks = -1; return; }
        if (vote.Leader == Peer.Id) Peer.BecomeLeading(Peer.ElectionRound);
        else Peer.BecomeFollowing(vote.Leader, Peer.ElectionRound);
    }

    void BroadcastVote() => Peer.Broadcast(Notification);

    void SendVote(int to) => Peer.Send(Notification(to));

    ZabMessage Notification(int to) => new()
    {
        Type = MessageType.Vote, From = Peer.Id, To = to, Round = Peer.ElectionRound, State = PeerState.Looking, Vote = vote,
    };
}
