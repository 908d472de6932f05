using OrleansZk.Zab.Simulator;

namespace OrleansZk.Zab.Tests;

/// <summary>Contracts of the engine's Tick/Step/Propose → Ready → Advance interface.</summary>
public class EngineTests
{
    /// <summary>Replicas on simulated disks, each run by the production host loop (<see cref="ZabDriver"/>) synchronously.</summary>
    sealed class Cluster
    {
        public readonly ZabPeer[] Peers;
        public readonly SimDisk[] Disks;
        public readonly ZabDriver[] Drivers;
        public readonly Host[] Hosts;
        public readonly Queue<ZabMessage> Queue = new();

        public Cluster(int n = 3)
        {
            var ids = Enumerable.Range(1, n).ToArray();
            Disks = ids.Select(_ => new SimDisk()).ToArray();
            Hosts = ids.Select(_ => new Host(Queue)).ToArray();
            Peers = ids.Select(i => new ZabPeer(new ZabConfig { Id = i, Peers = ids, Seed = i }, Disks[i - 1], Hosts[i - 1].State)).ToArray();
            Drivers = ids.Select(i => new ZabDriver(Peers[i - 1], Hosts[i - 1])).ToArray();
        }

        public void Run(ZabPeer p) => Drivers[p.Id - 1].RunSynchronously(Disks[p.Id - 1], Disks[p.Id - 1].SaveSnapshot);

        /// <summary>Delivers messages and ticks until a leader is established and everyone broadcasts (at most 50 rounds).</summary>
        public void Stabilize(Func<ZabMessage, bool>? lose = null)
        {
            for (int round = 0; round < 50; round++)
            {
                Deliver(lose);
                if (Peers.Any(p => p.Status.Established) && Peers.All(p => p.Status.Phase == ZabPhase.Broadcast)) return;
                foreach (var p in Peers) p.Tick();
            }
        }

        /// <summary>Runs everyone and delivers messages (dropping those <paramref name="lose"/> picks) until none is left.</summary>
        public void Deliver(Func<ZabMessage, bool>? lose = null)
        {
            foreach (var p in Peers) Run(p);
            while (Queue.TryDequeue(out var m))
            {
                if (lose?.Invoke(m) == true) continue;
                Peers[m.To - 1].Step(m);
                Run(Peers[m.To - 1]);
            }
        }

        public ZabPeer Leader => Peers.Single(p => p.Status.Established);
        public ZabPeer Follower => Peers.First(p => p.Status.State == PeerState.Following);
    }

    sealed class Host(Queue<ZabMessage> queue) : IZabHost
    {
        public SimStateMachine State { get; } = new();
        public long Confirmed { get; private set; }
        public void Install(ZabSnapshot snapshot) => State.Install(snapshot);
        public void Send(IReadOnlyList<ZabMessage> messages) { foreach (var m in messages) queue.Enqueue(m); }
        public void Apply(IReadOnlyList<LogEntry> committed) { foreach (var t in committed) State.Apply(t); }
        void IZabHost.Confirmed(long token) => Confirmed = Math.Max(Confirmed, token);
    }

    [Fact]
    public void A_cluster_elects_the_highest_id_when_histories_tie_and_commits_proposals()
    {
        var c = new Cluster();
        c.Stabilize();
        Assert.Equal(3, c.Leader.Id);
        var r = c.Leader.Propose([1, 2, 3]);
        Assert.Equal(new ProposeResult(ProposeStatus.Proposed, Zxid.Make(1, 1), 3), r);
        c.Stabilize();
        Assert.All(c.Peers, p => Assert.Equal(Zxid.Make(1, 1), p.Status.CommittedZxid));
    }

    [Fact]
    public void Ticks_are_needed_except_by_the_established_leader_of_a_cluster_of_one()
    {
        var c = new Cluster();
        Assert.All(c.Peers, p => Assert.True(p.NeedsTicks)); // electing
        c.Stabilize();
        Assert.All(c.Peers, p => Assert.True(p.NeedsTicks)); // a leader with followers to ping, followers with a leader to lose

        var alone = new Cluster(1);
        var peer = alone.Peers[0];
        for (int ticks = 0; !peer.Status.Established; ticks++)
        {
            Assert.True(peer.NeedsTicks, "electing");
            Assert.True(ticks < 50, "a cluster of one did not elect itself");
            peer.Tick();
            alone.Deliver();
        }
        Assert.False(peer.NeedsTicks);
        // Without a single further tick it goes on committing, and confirming its leadership.
        var r = peer.Propose([7]);
        var token = peer.RequestLeadershipCheck();
        alone.Deliver();
        Assert.Equal(r.Zxid, peer.Status.CommittedZxid);
        Assert.Equal(token, alone.Hosts[0].Confirmed);
        Assert.False(peer.NeedsTicks);
    }

    [Fact]
    public void A_replica_whose_voters_settled_on_it_leads_even_if_their_looking_votes_were_lost()
    {
        // The leader (3) dies; 1 adopts 2's better vote and follows 2, but its changed looking vote
        // never reaches 2. 2 hears 1 only as a follower of 2 in the same round — which must count,
        // as ZooKeeper's election counts it, or 2 waits until 1 gives up after the init limit.
        var c = new Cluster();
        c.Stabilize();
        Assert.Equal(3, c.Leader.Id);
        var config = new ZabConfig { Id = 1, Peers = [1] };
        bool Lose(ZabMessage m) =>
            m.From == 3 || m.To == 3
            || (m.From == 1 && m.To == 2 && m.Type == MessageType.Vote && m.State == PeerState.Looking && m.Vote.Leader == 2);
        int ticks = 0;
        var two = c.Peers[1];
        while (!(two.Status.Established && c.Peers[0].Status.Phase == ZabPhase.Broadcast) && ticks < 3 * config.InitLimitTicks)
        {
            c.Deliver(Lose);
            c.Peers[0].Tick();
            two.Tick();
            ticks++;
        }
        Assert.True(two.Status.Established, $"2 is {two.Status.State} after {ticks} ticks");
        Assert.True(ticks < config.SyncLimitTicks + config.InitLimitTicks / 2,
            $"2 led only after {ticks} ticks: it waited for 1 to give up (sync limit {config.SyncLimitTicks}, init limit {config.InitLimitTicks})");
    }

    [Fact]
    public void A_follower_told_its_silent_leader_is_gone_looks_at_once_and_the_survivors_elect_a_leader()
    {
        var c = new Cluster();
        c.Stabilize();
        var dead = c.Leader.Id;
        var survivors = c.Peers.Where(p => p.Id != dead).ToArray();

        // Heard from the leader since its last tick: a report of unreachability is stale, ignored.
        survivors[0].Unreachable(dead);
        Assert.Equal(PeerState.Following, survivors[0].Status.State);

        // The leader dies; one tick later (far below SyncLimitTicks) the host learns it is gone.
        foreach (var p in survivors) p.Tick();
        foreach (var p in survivors) p.Unreachable(dead);
        Assert.All(survivors, p => Assert.Equal(PeerState.Looking, p.Status.State));

        // Reports about anyone but one's own leader change nothing.
        var bystander = new Cluster();
        bystander.Stabilize();
        var follower = bystander.Follower;
        follower.Tick();
        follower.Unreachable(bystander.Peers.First(p => p.Id != follower.Id && p.Id != bystander.Leader.Id).Id);
        Assert.Equal(PeerState.Following, follower.Status.State);

        // The survivors elect one of themselves well before the sync limit would have expired.
        var ticks = 0;
        for (; ticks < 50 && !survivors.Any(p => p.Status.Established && p.Status.Phase == ZabPhase.Broadcast); ticks++)
        {
            c.Deliver(m => m.To == dead || m.From == dead);
            foreach (var p in survivors) p.Tick();
        }
        var leader = Assert.Single(survivors, p => p.Status.Established);
        Assert.True(ticks < new ZabConfig { Id = 1, Peers = [1, 2, 3] }.SyncLimitTicks, $"took {ticks} ticks");
        Assert.NotEqual(dead, leader.Id);
    }

    [Fact]
    public void An_ack_leaves_in_the_same_Ready_as_the_append_it_acknowledges()
    {
        var c = new Cluster();
        c.Stabilize();
        c.Leader.Propose([9]);
        var leaderReady = c.Leader.Ready();
        c.Leader.Advance();
        var proposal = leaderReady.Proposals.First(m => m.Type == MessageType.Proposal);
        var follower = c.Peers[proposal.To - 1];
        follower.Step(proposal);
        var ready = follower.Ready();
        follower.Advance();
        var append = Assert.IsType<AppendWrite>(Assert.Single(ready.LogWrites));
        Assert.Equal(Zxid.Make(1, 1), append.Txns.Single().Zxid);
        Assert.Contains(ready.Messages, m => m.Type == MessageType.Ack && m.Zxid == Zxid.Make(1, 1));
        Assert.Empty(ready.Committed); // nothing commits before the leader hears a quorum
    }

    [Fact]
    public void Followers_forward_and_looking_replicas_refuse()
    {
        var lonely = new Cluster();
        Assert.Equal(ProposeStatus.NotLeader, lonely.Peers[0].Propose([1]).Status);

        var c = new Cluster();
        c.Stabilize();
        var f = c.Follower;
        var r = f.Propose([7]);
        Assert.Equal(new ProposeResult(ProposeStatus.Forwarded, 0, 3), r);
        var ready = f.Ready();
        f.Advance();
        var request = Assert.Single(ready.Messages, m => m.Type == MessageType.Request);
        Assert.Equal(3, request.To);
        c.Leader.Step(request);
        c.Run(c.Leader);
        c.Stabilize();
        Assert.All(c.Peers, p => Assert.Equal(Zxid.Make(1, 1), p.Status.CommittedZxid));
    }

    [Fact]
    public void Messages_of_another_epoch_are_fenced_and_gaps_trigger_a_resync()
    {
        var c = new Cluster();
        c.Stabilize();
        var f = c.Follower;
        var stale = new ZabMessage { Type = MessageType.Proposal, From = 3, To = f.Id, Epoch = 0, Txns = [new LogEntry(Zxid.Make(0, 1), [1])] };
        f.Step(stale);
        Assert.False(f.HasReady);

        var gap = new ZabMessage { Type = MessageType.Proposal, From = 3, To = f.Id, Epoch = 1, Txns = [new LogEntry(Zxid.Make(1, 2), [1])] };
        f.Step(gap);
        var ready = f.Ready();
        f.Advance();
        Assert.Empty(ready.LogWrites);
        Assert.Contains(ready.Messages, m => m.Type == MessageType.AckEpoch && m.Zxid == 0); // "resync me from 0:0"
        Assert.Equal(0, f.Status.LastZxid);
    }

    [Fact]
    public void A_cluster_of_one_leads_and_commits_alone()
    {
        var disk = new SimDisk();
        var p = new ZabPeer(new ZabConfig { Id = 1, Peers = [1] }, disk, new SimStateMachine());
        for (int i = 0; i < 5; i++)
        {
            p.Tick();
            var r = p.Ready();
            ReadyPersistence.Persist(disk, r);
            p.Advance();
        }
        Assert.True(p.Status.Established);
        Assert.Equal(new HardState(1, 1), disk.HardState);
        Assert.Equal(ProposeStatus.Proposed, p.Propose([1]).Status);
        var ready = p.Ready();
        p.Advance();
        Assert.Equal(Zxid.Make(1, 1), Assert.Single(ready.Committed).Zxid);
    }

    [Fact]
    public void Readies_may_be_pipelined_and_each_Advance_acknowledges_the_oldest()
    {
        var c = new Cluster();
        var p = c.Peers[0];
        p.Ready();
        p.Tick(); // allowed while the first Ready is still being persisted
        p.Ready();
        Assert.Equal(2, p.Outstanding);
        p.Advance();
        p.Advance();
        Assert.Throws<InvalidOperationException>(() => p.Advance());
    }

    [Fact]
    public void A_pipelined_leader_reports_a_commit_only_in_a_Ready_taken_after_the_append()
    {
        var c = new Cluster();
        c.Stabilize();
        var leader = c.Leader;
        Assert.Equal(ProposeStatus.Proposed, leader.Propose(_ => [1]).Status);
        var appendReady = leader.Ready(); // its fsync still "running"
        var proposal = appendReady.Proposals.First(m => m.Type == MessageType.Proposal);
        Assert.Empty(appendReady.Committed);
        // A follower acknowledges before the leader's own write is durable: the commit the leader
        // then reports can only leave in a later Ready, i.e. after the append's Ready is persisted.
        var follower = c.Peers[proposal.To - 1];
        follower.Step(proposal);
        var ack = follower.Ready().Messages.Single(m => m.Type == MessageType.Ack);
        follower.Advance();
        leader.Step(ack);
        var commitReady = leader.Ready();
        Assert.Equal(Zxid.Make(1, 1), Assert.Single(commitReady.Committed).Zxid);
        leader.Advance();
        leader.Advance();
    }

    [Fact]
    public void The_leaders_proposals_leave_before_its_fsync_and_its_commit_only_after()
    {
        var c = new Cluster();
        c.Stabilize();
        var leader = c.Leader;
        var driver = c.Drivers[leader.Id - 1];
        leader.Propose(_ => [7]);
        var job = driver.Next()!; // its write not yet persisted
        Assert.True(job.HasWrites);
        var sent = c.Queue.ToList();
        Assert.Equal(2, sent.Count(m => m.Type == MessageType.Proposal && m.Txns.Single().Zxid == Zxid.Make(1, 1)));
        Assert.DoesNotContain(job.Ready.Messages, m => m.Type == MessageType.Proposal);
        // Both followers make it durable and acknowledge while the leader's fsync is still running:
        // the leader decides the commit, but nothing of it leaves until the append's job is persisted.
        c.Queue.Clear();
        foreach (var m in sent) { c.Peers[m.To - 1].Step(m); c.Run(c.Peers[m.To - 1]); }
        foreach (var ack in c.Queue.Where(m => m.Type == MessageType.Ack).ToList()) leader.Step(ack);
        c.Queue.Clear();
        var commitJob = driver.Next()!;
        Assert.Equal(Zxid.Make(1, 1), Assert.Single(commitJob.Ready.Committed).Zxid);
        Assert.Throws<InvalidOperationException>(() => driver.Persisted(commitJob)); // the append's job first
        Assert.Empty(c.Queue);
        Assert.Equal(0, c.Hosts[leader.Id - 1].State.Zxid);
        ReadyPersistence.Persist(c.Disks[leader.Id - 1], job.Ready);
        driver.Persisted(job);
        driver.Persisted(commitJob);
        Assert.Equal(Zxid.Make(1, 1), c.Hosts[leader.Id - 1].State.Zxid);
        Assert.Contains(c.Queue, m => m.Type == MessageType.Commit && m.Commit == Zxid.Make(1, 1));
    }

    [Fact]
    public void The_payload_factory_gets_the_zxid_and_a_throwing_factory_proposes_nothing()
    {
        var c = new Cluster();
        c.Stabilize();
        var leader = c.Leader;
        long seen = 0;
        var r = leader.Propose(z => { seen = z; return [1]; });
        Assert.Equal(Zxid.Make(1, 1), seen);
        Assert.Equal(seen, r.Zxid);
        Assert.Throws<FormatException>(() => leader.Propose(_ => throw new FormatException()));
        Assert.Equal(Zxid.Make(1, 1), leader.Status.LastZxid);
        Assert.Equal(Zxid.Make(1, 2), leader.Propose(_ => [2]).Zxid);
        Assert.Equal(ProposeStatus.NotLeader, c.Follower.Propose(_ => throw new InvalidOperationException("never called")).Status);
    }

    [Fact]
    public void A_leadership_check_is_confirmed_by_a_quorum_and_never_by_a_deposed_leader()
    {
        var c = new Cluster();
        c.Stabilize();
        var leader = c.Leader;
        Assert.Equal(0, c.Follower.RequestLeadershipCheck());
        long token = leader.RequestLeadershipCheck();
        Assert.True(token > 0);
        c.Deliver();
        Assert.Equal(token, c.Hosts[leader.Id - 1].Confirmed);

        // Cut the leader off: the followers elect a new leader; the old one's check never confirms.
        long stale = leader.RequestLeadershipCheck();
        bool Cut(ZabMessage m) => m.From == leader.Id || m.To == leader.Id;
        for (int i = 0; i < 100 && !c.Peers.Any(p => p != leader && p.Status.Established); i++)
        {
            c.Deliver(Cut);
            foreach (var p in c.Peers) if (p != leader) p.Tick();
        }
        Assert.Contains(c.Peers, p => p != leader && p.Status.Established);
        // Heal: the old leader's pings (carrying the check) reach the others, who follow someone else.
        for (int i = 0; i < 3; i++)
        {
            leader.Tick();
            c.Deliver();
        }
        Assert.True(c.Hosts[leader.Id - 1].Confirmed < stale);
    }

    [Fact]
    public void A_cluster_of_one_confirms_its_leadership_at_once()
    {
        var c = new Cluster(1);
        c.Stabilize();
        long token = c.Leader.RequestLeadershipCheck();
        c.Run(c.Leader);
        Assert.Equal(token, c.Hosts[0].Confirmed);
    }

    [Fact]
    public void A_restarted_replica_recovers_epochs_and_log_from_storage()
    {
        var disk = new SimDisk();
        disk.Append([new LogEntry(Zxid.Make(2, 1), [1]), new LogEntry(Zxid.Make(2, 2), [2])]);
        disk.SetHardState(new HardState(2, 3));
        disk.Sync();
        var p = new ZabPeer(new ZabConfig { Id = 1, Peers = [1, 2, 3] }, disk, new SimStateMachine());
        var s = p.Status;
        Assert.Equal(new HardState(2, 3), s.Hard);
        Assert.Equal(Zxid.Make(2, 2), s.LastZxid);
        Assert.Equal(0, s.CommittedZxid); // commitment is learned from the leader again
        var votes = p.Ready().Messages;
        Assert.All(votes, m => Assert.Equal(new Vote(1, 2, Zxid.Make(2, 2)), m.Vote)); // current epoch, not accepted
    }

    [Fact]
    public void A_crash_before_fsync_keeps_only_a_prefix_of_the_writes()
    {
        var disk = new SimDisk();
        disk.Append([new LogEntry(1, [1])]);
        disk.Sync();
        disk.Append([new LogEntry(2, [2])]);
        disk.SetHardState(new HardState(1, 1));
        disk.Crash(new Random(1));
        Assert.True(disk.LastZxid >= 1);
        Assert.True(disk.HardState == default || disk.LastZxid == 2, "hard state durable without the log write before it");
    }
}
