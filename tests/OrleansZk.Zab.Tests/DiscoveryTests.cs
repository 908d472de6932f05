using OrleansZk.Zab.Simulator;

namespace OrleansZk.Zab.Tests;

/// <summary>Election timing and discovery rules, driven by hand-made messages.</summary>
public class DiscoveryTests
{
    static ZabPeer Peer(int id, SimDisk? disk = null) =>
        new(new ZabConfig { Id = id, Peers = [1, 2, 3], Seed = id }, disk ?? new SimDisk(), new SimStateMachine());

    static Ready Drain(ZabPeer p)
    {
        var r = p.Ready();
        p.Advance();
        return r;
    }

    static ZabMessage Msg(MessageType type, int from, int to) => new() { Type = type, From = from, To = to };

    [Fact]
    public void A_lonely_looking_replica_re_broadcasts_its_vote_with_exponential_backoff()
    {
        var p = Peer(1);
        Drain(p);
        var sends = new List<int>();
        for (int tick = 1; tick <= 200; tick++)
        {
            p.Tick();
            if (Drain(p).Messages.Any(m => m.Type == MessageType.Vote)) sends.Add(tick);
        }
        var gaps = sends.Zip(sends.Skip(1), (a, b) => b - a).ToList();
        Assert.True(gaps.Count >= 4);
        Assert.True(gaps[1] > gaps[0] && gaps[2] > gaps[1], string.Join(",", gaps));
        Assert.All(gaps.Skip(4), g => Assert.InRange(g, 32, 34)); // capped at MaxElectionTimeoutTicks (+ jitter)
    }

    /// <summary>Makes replica 1 leading (2 votes for it), past FOLLOWERINFO from 2: NEWEPOCH 1 is sent.</summary>
    static ZabPeer ProspectiveLeader()
    {
        var p = Peer(1, Disk(current: 1, Zxid.Make(1, 5)));
        Drain(p);
        p.Step(Msg(MessageType.Vote, 2, 1) with { Round = 1, State = PeerState.Looking, Vote = new Vote(1, 1, Zxid.Make(1, 5)) });
        p.Tick(); // FinalizeWait: only 2 of 3 votes are in
        Assert.Equal(PeerState.Leading, p.Status.State);
        Drain(p);
        p.Step(Msg(MessageType.FollowerInfo, 2, 1) with { Epoch = 1 });
        var r = Drain(p);
        Assert.Equal(new HardState(1, 2), r.HardState); // accepted epoch persisted in the Ready that sends NEWEPOCH
        Assert.Contains(r.Messages, m => m.Type == MessageType.NewEpoch && m.Epoch == 2);
        return p;
    }

    static SimDisk Disk(long current, long last)
    {
        var d = new SimDisk();
        if (last != 0) d.Append([new LogEntry(last, [1])]);
        d.SetHardState(new HardState(current, current));
        d.Sync();
        return d;
    }

    [Fact]
    public void A_prospective_leader_abdicates_when_a_follower_is_ahead()
    {
        var p = ProspectiveLeader();
        p.Step(Msg(MessageType.AckEpoch, 2, 1) with { Epoch = 2, CurrentEpoch = 1, Zxid = Zxid.Make(1, 7), Fresh = true });
        Assert.Equal(PeerState.Looking, p.Status.State);
    }

    [Fact]
    public void A_prospective_leader_settles_the_epoch_on_a_quorum_of_fresh_acks_only()
    {
        var stale = ProspectiveLeader();
        stale.Step(Msg(MessageType.AckEpoch, 2, 1) with { Epoch = 2, CurrentEpoch = 1, Zxid = Zxid.Make(1, 3), Fresh = false });
        Assert.Equal(ZabPhase.Discovery, stale.Status.Phase);

        var p = ProspectiveLeader();
        p.Step(Msg(MessageType.AckEpoch, 2, 1) with { Epoch = 2, CurrentEpoch = 1, Zxid = Zxid.Make(1, 3), Fresh = true });
        Assert.Equal(ZabPhase.Synchronization, p.Status.Phase);
        var r = Drain(p);
        Assert.Equal(new HardState(2, 2), r.HardState);
        var sync = Assert.Single(r.Messages, m => m.Type == MessageType.NewLeader);
        Assert.Equal(SyncKind.Trunc, sync.Kind); // 2 holds 1:3, which this leader never had
        Assert.Equal(0, sync.TruncateAfter);
        Assert.Equal([Zxid.Make(1, 5)], sync.Txns.Select(t => t.Zxid));
    }

    [Fact]
    public void A_follower_persists_the_epoch_and_the_synced_history_in_the_Ready_that_acknowledges_them()
    {
        var f = Peer(2);
        Drain(f);
        f.Step(Msg(MessageType.Vote, 1, 2) with { Round = 1, State = PeerState.Leading, Vote = new Vote(1, 0, 0) });
        f.Step(Msg(MessageType.Vote, 3, 2) with { Round = 1, State = PeerState.Following, Vote = new Vote(1, 0, 0) });
        Assert.Equal(PeerState.Following, f.Status.State);
        Drain(f);
        f.Step(Msg(MessageType.NewEpoch, 1, 2) with { Epoch = 4 });
        var r = Drain(f);
        Assert.Equal(new HardState(0, 4), r.HardState);
        Assert.Contains(r.Messages, m => m.Type == MessageType.AckEpoch && m.Fresh);

        f.Step(Msg(MessageType.NewLeader, 1, 2) with { Epoch = 4, Kind = SyncKind.Diff, Txns = [new LogEntry(Zxid.Make(3, 1), [1])] });
        r = Drain(f);
        Assert.Equal(new HardState(4, 4), r.HardState);
        Assert.Equal(Zxid.Make(3, 1), Assert.IsType<AppendWrite>(Assert.Single(r.LogWrites)).Txns.Single().Zxid);
        Assert.Contains(r.Messages, m => m.Type == MessageType.AckNewLeader && m.Zxid == Zxid.Make(3, 1));
        Assert.Empty(r.Committed); // only UPTODATE / COMMIT say what is committed

        f.Step(Msg(MessageType.NewEpoch, 1, 2) with { Epoch = 3 }); // a promise below the accepted epoch is refused
        Assert.Equal(PeerState.Looking, f.Status.State);
    }
}
