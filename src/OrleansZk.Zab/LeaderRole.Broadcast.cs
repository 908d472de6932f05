namespace OrleansZk.Zab;

/// <summary>
/// Leader synchronisation and broadcast. Each follower gets one NEWLEADER carrying the planner's
/// DIFF / TRUNC / SNAP and the history to adopt; once a quorum (the leader included) acknowledged
/// it, the leader is established, commits its whole history and sends UPTODATE. Then new txns
/// are logged, batched into PROPOSALs to every synced follower at the next Ready, and committed in
/// zxid order once a quorum's cumulative ACKs cover them.
/// </summary>
internal sealed partial class LeaderRole
{
    long broadcastThrough;  // the last zxid already sent in PROPOSALs
    long commitSent;        // the last commit point sent in COMMIT
    long checkWanted;       // the newest leadership-check token requested
    long checkSent;         // the newest one sent in a PING

    public override bool HasPendingBroadcast =>
        established && (Peer.Log.LastZxid > broadcastThrough || Peer.Committed > commitSent || checkWanted > checkSent);

    public override ProposeResult Propose(byte[] payload) => Propose(_ => payload);

    public override ProposeResult Propose(Func<long, byte[]> payloadFor)
    {
        if (!established) return new ProposeResult(ProposeStatus.NotLeader, 0, Peer.Id);
        long zxid = Append(payloadFor);
        return zxid != 0 ? new ProposeResult(ProposeStatus.Proposed, zxid, Peer.Id) : new ProposeResult(ProposeStatus.NotLeader, 0, null);
    }

    /// <summary>Logs a new txn; returns its zxid, or 0 if the epoch's counter is exhausted, in
    /// which case the leader steps down so that a new epoch starts (as ZooKeeper does).</summary>
    long Append(Func<long, byte[]> payloadFor)
    {
        if (Zxid.Epoch(Peer.Log.LastZxid) == epoch && Zxid.Counter(Peer.Log.LastZxid) == 0xFFFF_FFFFL)
        {
            Peer.BecomeLooking();
            return 0;
        }
        long zxid = Zxid.Next(Peer.Log.LastZxid, epoch);
        Peer.Append(new LogEntry(zxid, payloadFor(zxid)));
        if (Peer.IsQuorum(1)) Peer.CommitTo(zxid);
        return zxid;
    }

    public override void OnCheckRequested(long token)
    {
        checkWanted = token;
        if (Peer.IsQuorum(1)) Peer.ReportConfirmed(token); // a cluster of one
    }

    /// <summary>A PINGACK: a cumulative ack, and the follower's echo of the newest check token it saw.</summary>
    void OnPingAck(Learner l, ZabMessage m)
    {
        OnAck(l, m.Zxid);
        if (!established || !l.Synced || m.Context <= l.Context) return;
        l.Context = m.Context;
        Span<long> echoed = stackalloc long[1 + learners.Count];
        int n = 0;
        echoed[n++] = checkWanted; // we vouch for ourselves
        foreach (var x in learners.Values) if (x.Synced) echoed[n++] = x.Context;
        long confirmed = QuorumMath.QuorumMatch(Peer.Quorum, Peer.ClusterSize, echoed[..n]);
        if (confirmed > 0) Peer.ReportConfirmed(confirmed);
    }

    void SendSync(int to, Learner l)
    {
        l.Synced = false;
        var log = Peer.Log;
        var plan = Peer.Planner.Plan(l.LastZxid, log);
        Peer.SyncPlans[(int)plan.Kind]++;
        ZabSnapshot? snap = plan.Kind == SyncKind.Snap ? Peer.StateMachine.TakeSnapshot() : null;
        long after = snap?.Zxid ?? plan.SendAfter;
        Peer.Send(new ZabMessage
        {
            Type = MessageType.NewLeader, From = Peer.Id, To = to, Epoch = epoch, Kind = plan.Kind,
            FollowerLastZxid = l.LastZxid, TruncateAfter = plan.TruncateAfter, Snapshot = snap,
            Txns = log.Slice(after, log.LastZxid, int.MaxValue),
        });
    }

    void OnAckNewLeader(int from, Learner l, long zxid)
    {
        if (!epochSettled) return;
        l.Synced = true;
        l.Acked = Math.Max(l.Acked, zxid);
        if (!established) { TryEstablish(); return; }
        // A resynced follower may complete a quorum for entries nobody will ACK again.
        AdvanceCommit();
        Peer.Send(new ZabMessage { Type = MessageType.UpToDate, From = Peer.Id, To = from, Epoch = epoch, Commit = Peer.Committed });
        SendProposals(from, zxid); // what was proposed while it synced
    }

    /// <summary>Established once a quorum holds our whole history (which cannot grow before then).</summary>
    void TryEstablish()
    {
        long last = Peer.Log.LastZxid;
        if (established || !Peer.IsQuorum(1 + learners.Values.Count(l => l.Synced && l.Acked >= last))) return;
        established = true;
        broadcastThrough = last;
        Peer.CommitTo(last);
        commitSent = Peer.Committed;
        foreach (var (id, l) in learners)
        {
            if (l.Synced) Peer.Send(new ZabMessage { Type = MessageType.UpToDate, From = Peer.Id, To = id, Epoch = epoch, Commit = Peer.Committed });
        }
    }

    void OnAck(Learner l, long zxid)
    {
        if (!l.Synced || zxid <= l.Acked) return;
        l.Acked = Math.Min(zxid, Peer.Log.LastZxid);
        if (!established) { TryEstablish(); return; }
        AdvanceCommit();
    }

    /// <summary>Commits up to the highest zxid a quorum (us included) has logged.</summary>
    void AdvanceCommit()
    {
        Span<long> matches = stackalloc long[1 + learners.Count];
        int n = 0;
        matches[n++] = Peer.Log.LastZxid; // our own log: durable before any consequence of this commit leaves (Ready.Proposals)
        foreach (var x in learners.Values) if (x.Synced) matches[n++] = x.Acked;
        long q = QuorumMath.QuorumMatch(Peer.Quorum, Peer.ClusterSize, matches[..n]);
        if (q > Peer.Committed) Peer.CommitTo(q);
    }

    public override void BeforeReady()
    {
        if (!established) return;
        if (checkWanted > checkSent)
        {
            // A check goes out now rather than at the next heartbeat.
            checkSent = checkWanted;
            SendPings();
        }
        long last = Peer.Log.LastZxid;
        if (last > broadcastThrough)
        {
            foreach (var (id, l) in learners) if (l.Synced) SendProposals(id, broadcastThrough);
            broadcastThrough = last;
        }
        if (Peer.Committed > commitSent)
        {
            commitSent = Peer.Committed;
            foreach (var (id, l) in learners)
                if (l.Synced) Peer.Send(new ZabMessage { Type = MessageType.Commit, From = Peer.Id, To = id, Epoch = epoch, Commit = commitSent });
        }
    }

    void SendProposals(int to, long after)
    {
        var log = Peer.Log;
        while (after < log.LastZxid)
        {
            var batch = log.Slice(after, log.LastZxid, Config.MaxBatchEntries);
            if (batch.Count == 0) return;
            Peer.SendProposal(new ZabMessage { Type = MessageType.Proposal, From = Peer.Id, To = to, Epoch = epoch, Txns = batch });
            after = batch[^1].Zxid;
        }
    }
}
