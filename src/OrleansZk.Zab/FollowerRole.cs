namespace OrleansZk.Zab;

/// <summary>
/// FOLLOWING. Discovery: send FOLLOWERINFO, promise the leader's new epoch (persisted before the
/// ACKEPOCH). Synchronisation: apply the leader's DIFF / TRUNC / SNAP, adopt its epoch as current,
/// and acknowledge NEWLEADER only with the history durable (the ACK leaves in the same Ready as
/// the writes, which the host fsyncs first). Broadcast: log each PROPOSAL that directly follows
/// the last zxid, ACK it, commit on COMMIT / UPTODATE / PING; anything else out of order
/// triggers a resync. Only messages from the chosen leader, fenced by the session's epoch, count.
/// </summary>
internal sealed class FollowerRole : Role
{
    readonly int leader;
    long sessionEpoch;        // the epoch promised to this leader in this session, 0 before NEWEPOCH
    bool fresh;               // whether that promise was fresh (counts in the leader's discovery quorum)
    bool synced, upToDate;    // NEWLEADER applied; UPTODATE received
    bool wasUpToDate;         // UPTODATE received at least once from this leader
    int silentTicks, retryTicks;
    long pingTarget = -1;     // a last zxid the leader announced in a PING that our log has not reached yet
    int pingTargetAge;        // ticks since that announcement

    public FollowerRole(ZabPeer peer, int leader) : base(peer)
    {
        this.leader = leader;
        SendHandshake();
    }

    public override PeerState State => PeerState.Following;
    public override ZabPhase Phase => upToDate ? ZabPhase.Broadcast : synced ? ZabPhase.Synchronization : ZabPhase.Discovery;
    public override int? LeaderId => leader;
    public override long SessionEpoch => sessionEpoch;
    Vote SettledVote => new(leader, sessionEpoch, 0);

    public override void Tick()
    {
        // InitLimit covers the first sync with this leader; a later resync is short, and a leader
        // that goes silent during it is as dead as one that goes silent in broadcast.
        int limit = wasUpToDate ? Config.SyncLimitTicks : Config.InitLimitTicks;
        pingTargetAge++;
        if (++silentTicks > limit) { Peer.BecomeLooking(); return; }
        if (!synced && ++retryTicks >= Config.HeartbeatTicks) SendHandshake();
    }

    public override void OnUnreachable(int peer)
    {
        // Heard from since the last tick: whatever the host saw is stale (or a blip); the timeouts decide.
        if (peer == leader && silentTicks > 0) Peer.BecomeLooking();
    }

    public override ProposeResult Propose(byte[] payload)
    {
        Peer.Send(new ZabMessage { Type = MessageType.Request, From = Peer.Id, To = leader, Epoch = sessionEpoch, Payload = payload });
        return new ProposeResult(ProposeStatus.Forwarded, 0, leader);
    }

    public override void Step(ZabMessage m)
    {
        if (m.Type == MessageType.Vote)
        {
            // Our leader reports that it follows someone else: the election misfired, look again.
            if (m.From == leader && m.State == PeerState.Following) { Peer.BecomeLooking(); return; }
            Peer.AnswerLooking(m, SettledVote, PeerState.Following);
            return;
        }
        if (m.Type == MessageType.FollowerInfo) { Peer.Answer(m.From, SettledVote, PeerState.Following); return; } // we do not lead
        if (m.From != leader) return;
        if (m.Type == MessageType.NewEpoch) { OnNewEpoch(m); return; }
        if (sessionEpoch == 0 || m.Epoch != sessionEpoch) return; // fencing
        silentTicks = 0;
        switch (m.Type)
        {
            case MessageType.NewLeader: OnNewLeader(m); break;
            case MessageType.UpToDate: if (synced) { upToDate = wasUpToDate = true; Peer.CommitTo(m.Commit); } break;
            case MessageType.Proposal: OnProposal(m); break;
            case MessageType.Commit: if (synced) Peer.CommitTo(m.Commit); break;
            case MessageType.Ping: OnPing(m); break;
        }
    }

    /// <summary>Handshake (re)transmission: FOLLOWERINFO until an epoch is promised, then ACKEPOCH
    /// (which also asks an established leader to (re)sync us).</summary>
    void SendHandshake()
    {
        retryTicks = 0;
        if (sessionEpoch == 0)
            Peer.Send(new ZabMessage { Type = MessageType.FollowerInfo, From = Peer.Id, To = leader, Epoch = Peer.Hard.AcceptedEpoch });
        else
            Peer.Send(new ZabMessage
            {
                Type = MessageType.AckEpoch, From = Peer.Id, To = leader, Epoch = sessionEpoch,
                CurrentEpoch = Peer.Hard.CurrentEpoch, Zxid = Peer.Log.LastZxid, Fresh = fresh,
            });
    }

    void OnNewEpoch(ZabMessage m)
    {
        var hard = Peer.Hard;
        if (m.Epoch < hard.AcceptedEpoch) { Peer.BecomeLooking(); return; } // promised a newer leader
        if (m.Epoch < sessionEpoch) return; // stale duplicate of an older session
        silentTicks = 0;
        if (m.Epoch > sessionEpoch)
        {
            fresh = m.Epoch > hard.AcceptedEpoch || Peer.AcceptedFrom == leader;
            sessionEpoch = m.Epoch;
            synced = upToDate = false;
            if (m.Epoch > hard.AcceptedEpoch) Peer.SetHard(hard with { AcceptedEpoch = m.Epoch }); // persisted before ACKEPOCH
            Peer.AcceptedFrom = leader;
        }
        SendHandshake();
    }

    void OnNewLeader(ZabMessage m)
    {
        var log = Peer.Log;
        if (m.FollowerLastZxid != log.LastZxid) return; // a plan for a log we no longer have
        switch (m.Kind)
        {
            case SyncKind.Snap:
                Peer.InstallSnapshot(m.Snapshot!);
                break;
            case SyncKind.Trunc:
                Peer.TruncateAfter(m.TruncateAfter);
                if (log.LastZxid != m.TruncateAfter) { synced = false; SendHandshake(); return; } // diverged earlier: ask again
                break;
        }
        foreach (var t in m.Txns) if (t.Zxid > log.LastZxid) Peer.Append(t);
        Peer.SetHard(Peer.Hard with { CurrentEpoch = Math.Max(Peer.Hard.CurrentEpoch, sessionEpoch) });
        synced = true;
        pingTarget = -1;
        pingTargetAge = 0;
        Peer.Send(new ZabMessage { Type = MessageType.AckNewLeader, From = Peer.Id, To = leader, Epoch = sessionEpoch, Zxid = log.LastZxid });
    }

    void OnProposal(ZabMessage m)
    {
        if (!synced || m.Txns.Count == 0) return;
        var log = Peer.Log;
        long first = m.Txns[0].Zxid, last = m.Txns[^1].Zxid;
        if (last <= log.LastZxid) { Ack(); return; } // duplicate: re-acknowledge
        if (first > Zxid.Next(log.LastZxid, sessionEpoch)) { Resync(); return; } // a gap: never skip
        foreach (var t in m.Txns)
        {
            if (t.Zxid <= log.LastZxid) continue;
            if (t.Zxid != Zxid.Next(log.LastZxid, sessionEpoch)) { Resync(); return; }
            Peer.Append(t);
        }
        Ack();
    }

    void OnPing(ZabMessage m)
    {
        Peer.Send(new ZabMessage { Type = MessageType.PingAck, From = Peer.Id, To = leader, Epoch = sessionEpoch, Zxid = Peer.Log.LastZxid, Context = m.Context });
        if (!synced) return;
        Peer.CommitTo(m.Commit);
        // A proposal announced by a PING that has still not arrived well after it (messages are not
        // kept in order, so a little lateness is normal) was lost: resync.
        if (pingTarget >= 0 && Peer.Log.LastZxid < pingTarget)
        {
            if (pingTargetAge >= LossTicks) Resync();
            return;
        }
        pingTarget = m.Zxid;
        pingTargetAge = 0;
    }

    /// <summary>How late an announced proposal may be before it counts as lost.</summary>
    int LossTicks => Math.Max(2 * Config.HeartbeatTicks, Config.SyncLimitTicks / 2);

    void Ack() => Peer.Send(new ZabMessage { Type = MessageType.Ack, From = Peer.Id, To = leader, Epoch = sessionEpoch, Zxid = Peer.Log.LastZxid });

    void Resync()
    {
        synced = upToDate = false;
        SendHandshake();
    }
}
