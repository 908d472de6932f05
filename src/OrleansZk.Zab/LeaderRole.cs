namespace OrleansZk.Zab;

/// <summary>
/// LEADING. Discovery: gather FOLLOWERINFO from a quorum, propose epoch = max accepted + 1
/// (persisted before NEWEPOCH is sent), gather fresh ACKEPOCHs from a quorum, and abdicate if
/// any follower's (current epoch, last zxid) is ahead of ours. Synchronisation and broadcast are
/// in <c>LeaderRole.Broadcast.cs</c>. A leader that is not established within InitLimit ticks,
/// or that has not heard from a quorum for SyncLimit ticks, goes back to looking.
/// </summary>
internal sealed partial class LeaderRole : Role
{
    sealed class Learner
    {
        public long AcceptedEpoch;
        public bool EpochAcked, Fresh, Synced;
        public long CurrentEpoch, LastZxid, Acked;
        public long Context;   // the newest leadership-check token it echoed
        public int SilentTicks;
    }

    readonly Dictionary<int, Learner> learners = [];
    readonly long startCurrentEpoch, startLastZxid;
    long epoch;            // the new epoch, 0 until a quorum reported its accepted epochs
    bool epochSettled;     // a quorum acknowledged the new epoch
    bool established;      // a quorum acknowledged NEWLEADER
    int ticks, heartbeatTicks;

    public LeaderRole(ZabPeer peer) : base(peer)
    {
        startCurrentEpoch = peer.Hard.CurrentEpoch;
        startLastZxid = peer.Log.LastZxid;
    }

    public override PeerState State => PeerState.Leading;
    public override ZabPhase Phase => established ? ZabPhase.Broadcast : epochSettled ? ZabPhase.Synchronization : ZabPhase.Discovery;
    public override int? LeaderId => Peer.Id;
    public override long SessionEpoch => epoch;
    public override bool Established => established;
    public override IReadOnlyList<int> SyncedFollowers =>
        learners.Where(kv => kv.Value.Synced && kv.Value.SilentTicks <= Config.SyncLimitTicks).Select(kv => kv.Key).Order().ToArray();

    public override void Tick()
    {
        ticks++;
        foreach (var l in learners.Values) l.SilentTicks++;
        if (!established && ticks > Config.InitLimitTicks) { Peer.BecomeLooking(); return; }
        if (established && !Peer.IsQuorum(1 + learners.Values.Count(l => l.EpochAcked && l.SilentTicks <= Config.SyncLimitTicks)))
        {
            Peer.BecomeLooking(); // lost the quorum for SyncLimit ticks
            return;
        }
        if (epoch == 0 && Peer.IsQuorum(1)) { DecideEpoch(); return; } // a cluster of one
        if (++heartbeatTicks >= Config.HeartbeatTicks) SendPings();
    }

    public override void Step(ZabMessage m)
    {
        if (m.Type == MessageType.Vote) { Peer.AnswerLooking(m, new Vote(Peer.Id, epoch, 0), PeerState.Leading); return; }
        if (m.Type == MessageType.FollowerInfo) { OnFollowerInfo(m); return; }
        if (epoch == 0 || m.Epoch != epoch || !learners.TryGetValue(m.From, out var l)) return; // fencing
        l.SilentTicks = 0;
        switch (m.Type)
        {
            case MessageType.AckEpoch: OnAckEpoch(m.From, l, m); break;
            case MessageType.AckNewLeader: OnAckNewLeader(m.From, l, m.Zxid); break;
            case MessageType.Ack: OnAck(l, m.Zxid); break;
            case MessageType.PingAck: OnPingAck(l, m); break;
            case MessageType.Request: if (established) Append(_ => m.Payload!); break;
        }
    }

    void OnFollowerInfo(ZabMessage m)
    {
        if (!learners.TryGetValue(m.From, out var l)) learners[m.From] = l = new Learner();
        l.AcceptedEpoch = Math.Max(l.AcceptedEpoch, m.Epoch);
        l.SilentTicks = 0;
        if (epoch != 0) { SendNewEpoch(m.From); return; }
        if (Peer.IsQuorum(1 + learners.Count)) DecideEpoch();
    }

    /// <summary>A quorum reported its accepted epochs: the new epoch is one above them all.</summary>
    void DecideEpoch()
    {
        long max = Peer.Hard.AcceptedEpoch;
        foreach (var l in learners.Values) max = Math.Max(max, l.AcceptedEpoch);
        epoch = max + 1;
        Peer.SetHard(Peer.Hard with { AcceptedEpoch = epoch }); // durable before NEWEPOCH leaves
        Peer.AcceptedFrom = Peer.Id;
        foreach (int id in learners.Keys) SendNewEpoch(id);
        if (Peer.IsQuorum(1)) SettleEpoch();
    }

    void SendNewEpoch(int to) =>
        Peer.Send(new ZabMessage { Type = MessageType.NewEpoch, From = Peer.Id, To = to, Epoch = epoch });

    void OnAckEpoch(int from, Learner l, ZabMessage m)
    {
        l.EpochAcked = true;
        l.Fresh |= m.Fresh;
        l.CurrentEpoch = m.CurrentEpoch;
        l.LastZxid = m.Zxid;
        if (epochSettled) { SendSync(from, l); return; } // late joiner, or a resync request
        if (VoteOrder.IsAhead(m.CurrentEpoch, m.Zxid, startCurrentEpoch, startLastZxid))
        {
            Peer.BecomeLooking(); // a follower has a newer history: we must not lead
            return;
        }
        if (Peer.IsQuorum(1 + learners.Values.Count(x => x.EpochAcked && x.Fresh))) SettleEpoch();
    }

    /// <summary>A quorum promised the epoch and none is ahead: adopt it and sync everyone who acked.</summary>
    void SettleEpoch()
    {
        epochSettled = true;
        Peer.SetHard(Peer.Hard with { CurrentEpoch = epoch });
        foreach (var (id, l) in learners) if (l.EpochAcked) SendSync(id, l);
        TryEstablish();
    }

    void SendPings()
    {
        heartbeatTicks = 0;
        if (epoch == 0) return;
        foreach (var (id, l) in learners)
        {
            if (!l.Synced) continue;
            Peer.Send(new ZabMessage { Type = MessageType.Ping, From = Peer.Id, To = id, Epoch = epoch, Zxid = Peer.Log.LastZxid, Commit = Peer.Committed, Context = checkSent });
        }
    }
}
