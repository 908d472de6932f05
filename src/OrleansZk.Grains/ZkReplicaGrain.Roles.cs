using Microsoft.Extensions.Logging;
using OrleansZk.Core;
using OrleansZk.Zab;

namespace OrleansZk.Grains;

/// <summary>
/// Following the engine's role: one log line per role change; a <see cref="LeaderTerm"/> when it
/// starts leading, served once it is established and has applied its history, and dropped — every
/// call it holds failed with ConnectionLoss — when the leadership ends; the silo's directory told
/// who leads; the status the shell shows.
/// </summary>
public sealed partial class ZkReplicaGrain
{
    private long _roleVersion = -1;
    private PeerState _role = PeerState.Looking;

    /// <summary>When the current role began (a <see cref="TimeProvider"/> timestamp).</summary>
    private long _roleSince;
    private long _roleEpoch;
    private long _lookingSince;
    private long _lastElectionMs;

    /// <summary>Completes at the next role change (calls that reach a looking replica wait for the election's outcome).</summary>
    private TaskCompletionSource _roleChange = new();

    /// <summary>Reacts to a new role or epoch, and starts serving once the leadership is ready.</summary>
    private void FollowRole()
    {
        var status = Peer.Status;
        if (status.RoleVersion != _roleVersion || status.SessionEpoch != _roleEpoch)
        {
            var previous = _role;
            var newRole = status.RoleVersion != _roleVersion;
            _roleVersion = status.RoleVersion;
            _role = status.State;
            _roleEpoch = status.SessionEpoch;
            if (newRole)
            {
                _roleSince = _time.GetTimestamp();
                EndTerm(status.State == PeerState.Leading ? "the replica is leading again in a new epoch" : "the replica stopped leading");
                if (status.State == PeerState.Looking) _lookingSince = _time.GetTimestamp();
                else if (previous == PeerState.Looking) _lastElectionMs = (long)_time.GetElapsedTime(_lookingSince).TotalMilliseconds;
                if (status.State == PeerState.Leading) _term = new LeaderTerm(_time, XidGapTimeout);
                var changed = _roleChange;
                _roleChange = new TaskCompletionSource();
                changed.TrySetResult();
                LogRole(_ensembleLog.Value, _replicaId, status.State, status.LeaderId, status.Hard.CurrentEpoch, status.LastZxid, _lastElectionMs);
            }
            if (status.State == PeerState.Following && status.SessionEpoch > 0) _directory.Report(status.LeaderId, status.SessionEpoch);
            else if (status.State == PeerState.Looking) _directory.Report(null, status.Hard.CurrentEpoch);
        }
        // Serving once established with its whole history applied (nothing is proposed before).
        if (_term is { Active: false } term && status.Established && _machine.AppliedZxid == status.LastZxid) Activate(term, status.SessionEpoch);
    }

    private void Activate(LeaderTerm term, long epoch)
    {
        term.Epoch = epoch;
        term.Preparer = new RequestPreparer(_machine.Tree, new PreparerOptions { MaxRequestBytes = _options.MaxDataBytes, TtlEnabled = _options.TtlEnabled });
        term.LastProposed = _machine.AppliedZxid;
        term.Clock.Start(_machine.Tree.Sessions.Values);
        term.NumberedThrough = _machine.AppliedZxid;
        term.Active = true;
        _directory.Report(_replicaId, epoch);
        LogServing(_ensembleLog.Value, _replicaId, epoch, _machine.AppliedZxid, Peer.Status.SyncedFollowers?.Count ?? 0);
        // Partitions first catch up to what this leader has applied; later batches follow them.
        term.EventsNumbered = SyncPartitionsAsync(term, _machine.AppliedZxid);
        term.Activated.TrySetResult(true);
        _local.Lead(epoch, _options.Partitions, _machine.PartitionLast, _machine.AppliedZxid);
    }

    /// <summary>Drops the leader-only state: its calls fail with ConnectionLoss (outcome unknown).</summary>
    private void EndTerm(string why)
    {
        if (_term is not { } term) return;
        _term = null;
        _local.Withdraw(term.Epoch);
        FailOpenSegment(why);
        term.End(Error(ZkErrorCode.ConnectionLoss, null, why));
    }

    /// <summary>
    /// The serving leadership, waiting for it while this replica is leading but not yet serving;
    /// <see cref="NotLeaderException"/> (naming the leader when known) anywhere else.
    /// </summary>
    private async ValueTask<LeaderTerm> ServingTermAsync()
    {
        var waitUntil = _time.GetTimestamp() + (long)(_options.InitLimitMs / 1000.0 * _time.TimestampFrequency);
        while (true)
        {
            if (_broken != null) throw new ReplicaUnavailableException($"replica {_replicaId}: {_broken}");
            if (_term is { Active: true } serving) return serving;
            if (_term is { } pending)
            {
                if (await UnlessStopped(pending.Activated.Task) && _term == pending) return pending;
                continue;
            }
            // Looking: wait for the election's outcome rather than send the caller away with nothing.
            var left = waitUntil - _time.GetTimestamp();
            if (_role != PeerState.Looking || left <= 0) throw NotLeader();
            await UnlessStopped(Task.WhenAny(_roleChange.Task, Task.Delay(TimeSpan.FromSeconds((double)left / _time.TimestampFrequency), _time)));
        }
    }

    private NotLeaderException NotLeader()
    {
        var status = Peer.Status;
        return new NotLeaderException(_replicaId, status.State == PeerState.Following ? status.LeaderId : null);
    }

    public Task<ReplicaStatus> GetStatus()
    {
        var s = Peer.Status;
        var plans = s.SyncPlans ?? [0, 0, 0];
        return Task.FromResult(new ReplicaStatus(_replicaId, _broken == null, s.State.ToString(), s.Phase.ToString(), s.LeaderId,
            s.SessionEpoch, s.Hard.CurrentEpoch, s.Hard.AcceptedEpoch, s.LastZxid, s.CommittedZxid, _machine.AppliedZxid,
            _term is { Active: true }, (s.SyncedFollowers ?? []).Select(id => (long)id).ToArray(),
            plans[(int)SyncKind.Diff], plans[(int)SyncKind.Trunc], plans[(int)SyncKind.Snap], _lastElectionMs, _broken,
            _machine.Tree.NodeCount, _machine.Tree.Sessions.Count, _machine.Tree.EphemeralCount, _machine.Tree.ApproximateDataSize, Stages()));
    }

    private StageLatency[] Stages() =>
    [
        StageLatency.Of(StageLatency.Write, _writeTimes),
        StageLatency.Of(StageLatency.LogWait, _log.WaitTimes),
        StageLatency.Of(StageLatency.Fsync, _log.FsyncTimes),
        StageLatency.Of(StageLatency.Resume, _resumeTimes),
        StageLatency.Of(StageLatency.Delivery, _deliveryTimes),
    ];

    public Task<TreeDigest> GetTreeDigest() =>
        Task.FromResult(new TreeDigest(_replicaId, _machine.AppliedZxid, _machine.Tree.ComputeDigest(), _machine.Tree.NodeCount));

    [LoggerMessage(Level = LogLevel.Information, Message = "Replica {ReplicaId} is {Role} (leader {LeaderId}, last established epoch {Epoch}, last zxid 0x{LastZxid:x}; last election took {ElectionMs} ms)")]
    private static partial void LogRole(ILogger logger, long replicaId, PeerState role, int? leaderId, long epoch, long lastZxid, long electionMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replica {ReplicaId} serves as leader of epoch {Epoch} from zxid 0x{Zxid:x} with {Followers} followers in sync")]
    private static partial void LogServing(ILogger logger, long replicaId, long epoch, long zxid, int followers);
}
