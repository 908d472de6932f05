using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;
using OrleansZk.Core;
using OrleansZk.Zab;

namespace OrleansZk.Grains;

/// <summary>
/// The host loop: the engine's persistence jobs go to the group-commit log as soon as they exist
/// (so batch k+1 is proposed and written while batch k is being fsync'd), and each one, once
/// durable and in order, is handed back to the driver, which sends its messages and applies its
/// commits through <see cref="IZabHost"/>. Messages from other replicas and ticks are stepped into
/// the engine as they come; every step wakes the loop.
/// </summary>
public sealed partial class ZkReplicaGrain : IZabHost
{
    private readonly Queue<(PersistJob Job, Task Durable)> _jobs = new();
    private TaskCompletionSource _wake = new();
    private Task _loop = Task.CompletedTask;
    private bool _stopping;

    /// <summary>Where writes spend their time (<see cref="StageLatency"/>): the replica's own stages; the log keeps its two.</summary>
    private readonly LatencyHistogram _writeTimes = new(), _resumeTimes = new(), _deliveryTimes = new();

    /// <summary>The engine's tick timer while it needs ticks (<see cref="ArmTicks"/>).</summary>
    private IGrainTimer? _tickTimer;

    /// <summary>Set when the log failed: the replica takes nothing more until it is reactivated.</summary>
    private string? _broken;

    private void Wake() => _wake.TrySetResult();

    private async Task RunLoopAsync()
    {
        while (true)
        {
            // A fresh signal before this pass's work, not after it: a wake-up that something in the
            // pass itself asks for (a sync confirmed as its segment closes, a reply that proposes)
            // then ends the wait below at once instead of being lost until the next tick.
            _wake = new TaskCompletionSource();
            if (_stopping && _jobs.Count == 0)
            {
                CloseOpenSegment();
                return;
            }
            WriteSnapshotSlice();
            Pump();
            if (_jobs.TryPeek(out var head) && head.Durable.IsCompleted)
            {
                _jobs.Dequeue();
                if (head.Durable.Exception is { } failure)
                {
                    Break(failure.GetBaseException());
                    return;
                }
                _driver.Persisted(head.Job);
                continue;
            }
            CloseOpenSegment();
            if (_snapshot is { Written: false } && head.Job is null)
            {
                await Task.Yield(); // more snapshot slices between calls
                continue;
            }
            if (head.Job is null)
            {
                await _wake.Task;
            }
            else
            {
                await Task.WhenAny(_wake.Task, head.Durable);
                if (head.Durable.IsCompletedSuccessfully && _log.LastBatchEnd is var end and not 0)
                    _resumeTimes.Record(LatencyHistogram.MicrosecondsBetween(end, System.Diagnostics.Stopwatch.GetTimestamp()));
            }
        }
    }

    /// <summary>Follows role changes, proposes what the leader has queued, and hands the engine's new jobs to the log.</summary>
    private void Pump()
    {
        if (_broken != null || _stopping) return;
        FollowRole();
        if (_term is { Active: true } term) ProposeQueued(term);
        while (_driver.Next() is { } job)
            _jobs.Enqueue((job, job.HasWrites ? _log.PersistAsync(job) : Task.CompletedTask));
        ArmTicks();
    }

    /// <summary>The log failed (disk full, I/O error): nothing can be made durable any more; stop.</summary>
    private void Break(Exception e)
    {
        LogWriteFailed(e, _replicaId);
        _broken = "the transaction log failed: " + e.Message;
        EndTerm(_broken);
        DeactivateOnIdle();
    }

    void IZabHost.Install(ZabSnapshot snapshot)
    {
        // The old tree goes: so does any snapshot of it still being written.
        _snapshot?.Dispose();
        _snapshot = null;
        _machine.Install(snapshot);
        _previousSnapshot = snapshot.Zxid;
        LogInstalled(_replicaId, snapshot.Zxid, _machine.Tree.NodeCount);
    }

    void IZabHost.Apply(IReadOnlyList<LogEntry> committed) => ApplyCommitted(committed);

    void IZabHost.Confirmed(long token) => _term?.Confirm(token);

    /// <summary>Sends each destination its messages as one batch (in chunks when large), one-way.</summary>
    void IZabHost.Send(IReadOnlyList<ZabMessage> messages)
    {
        foreach (var group in messages.GroupBy(m => m.To))
        {
            if (!_links.Allows(_replicaId, group.Key) || !_silos.IsUp(group.Key)) continue;
            var bytes = ZabWire.Encode(group.ToList());
            var batch = ++_sentBatches;
            var chunks = Math.Max(1, (bytes.Length + ChunkBytes - 1) / ChunkBytes);
            var target = Refs.Replica(group.Key);
            for (var c = 0; c < chunks; c++)
            {
                var data = chunks == 1 ? bytes : bytes.AsSpan(c * ChunkBytes, Math.Min(ChunkBytes, bytes.Length - c * ChunkBytes)).ToArray();
                _ = target.Receive(new ZabPacket(_replicaId, batch, c, chunks, data)).ContinueWith(
                    static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
            }
        }
    }

    /// <summary>Largest piece of a message batch in one call (a SNAP's snapshot is cut into these).</summary>
    private const int ChunkBytes = 1 << 20;

    private long _sentBatches;
    private readonly Dictionary<(long From, long Batch), byte[]?[]> _partial = [];

    public Task Receive(ZabPacket packet)
    {
        if (_broken != null || _stopping || !_links.Allows(packet.From, _replicaId)) return Task.CompletedTask;
        byte[] bytes;
        if (packet.Chunks <= 1)
        {
            bytes = packet.Data;
        }
        else
        {
            var key = (packet.From, packet.Batch);
            if (!_partial.TryGetValue(key, out var parts))
            {
                // A sender's older unfinished batches will never complete (their chunks were lost).
                foreach (var stale in _partial.Keys.Where(k => k.From == packet.From && k.Batch < packet.Batch).ToList()) _partial.Remove(stale);
                _partial[key] = parts = new byte[packet.Chunks][];
            }
            if ((uint)packet.Chunk >= (uint)parts.Length) return Task.CompletedTask;
            parts[packet.Chunk] = packet.Data;
            if (parts.Any(p => p == null)) return Task.CompletedTask;
            _partial.Remove(key);
            bytes = parts.SelectMany(p => p!).ToArray();
        }
        IReadOnlyList<ZabMessage> messages;
        try
        {
            messages = ZabWire.Decode(bytes);
        }
        catch (InvalidDataException e)
        {
            LogBadPacket(e, _replicaId, packet.From);
            return Task.CompletedTask;
        }
        foreach (var m in messages) Peer.Step(m);
        _heardAt[packet.From] = _time.GetTimestamp();
        Wake();
        return Task.CompletedTask;
    }

    public Task Probe() => Task.CompletedTask;

    /// <summary>When each replica's last packet arrived (a <see cref="TimeProvider"/> timestamp).</summary>
    private readonly Dictionary<long, long> _heardAt = [];

    /// <summary>When the outstanding probe was sent (0: none). A probe older than <see cref="ProbeAfter"/> no longer holds up the next.</summary>
    private long _probeSentAt;

    /// <summary>How long a leader may be silent before a follower probes it: one heartbeat (ZabSettings) and a tick.</summary>
    private TimeSpan ProbeAfter => TimeSpan.FromMilliseconds(_options.ZabTickMs * (HeartbeatTicks + 1));

    /// <summary>
    /// A follower whose leader has sent nothing for a heartbeat and a tick asks it whether it is
    /// there. When the call is refused — the leader's process is gone: its silo's connection is
    /// closed or the silo is declared dead — the engine hears it (<see cref="ZabPeer.Unreachable"/>)
    /// and looks for a new leader at once, rather than after <see cref="ZkServiceOptions.SyncLimitMs"/>
    /// of silence: what ZooKeeper's follower learns when its leader's socket closes. A probe that
    /// times out (a frozen or overloaded leader) tells nothing; the sync limit decides.
    /// </summary>
    private void ProbeSilentLeader()
    {
        if (_role != PeerState.Following || Peer.LeaderId is not { } leader) return;
        if (_probeSentAt != 0 && _time.GetElapsedTime(_probeSentAt) < ProbeAfter) return;
        if (!_links.Allows(_replicaId, leader)) return;
        var heard = _heardAt.TryGetValue(leader, out var at) ? at : _roleSince;
        if (_time.GetElapsedTime(heard) < ProbeAfter) return;
        _ = ProbeAsync(leader);
    }

    private async Task ProbeAsync(int leader)
    {
        var sent = _probeSentAt = _time.GetTimestamp();
        try
        {
            await Refs.Replica(leader).Probe().WaitAsync(TimeSpan.FromMilliseconds(_options.SyncLimitMs), _time);
        }
        catch (Exception e) when (e is OrleansMessageRejectionException or ConnectionFailedException or ReplicaUnavailableException)
        {
            if (_role == PeerState.Following && Peer.LeaderId == leader)
            {
                LogLeaderGone(_replicaId, leader, e.GetType().Name, (long)_time.GetElapsedTime(sent).TotalMilliseconds);
                Peer.Unreachable(leader);
                Wake();
            }
        }
        catch (Exception)
        {
            // Slow, not gone (a timeout), or an answer we cannot read: the sync limit decides.
        }
        finally
        {
            if (_probeSentAt == sent) _probeSentAt = 0;
        }
    }

    /// <summary>The replica's other timers; the engine's tick is armed by the loop's first pump (<see cref="ArmTicks"/>).</summary>
    private void StartTimers()
    {
        var housekeeping = TimeSpan.FromMilliseconds(100);
        this.RegisterGrainTimer(LeaderHousekeepingAsync, new Orleans.Runtime.GrainTimerCreationOptions(housekeeping, housekeeping) { Interleave = true });
        var expiry = TimeSpan.FromMilliseconds(Math.Clamp(_options.TickTimeMs / 2, 10, 1000));
        this.RegisterGrainTimer(ExpireSessionsAsync, new Orleans.Runtime.GrainTimerCreationOptions(expiry, expiry) { Interleave = true });
        var scan = TimeSpan.FromMilliseconds(_options.ContainerCheckIntervalMs);
        this.RegisterGrainTimer(ScanExpiredAsync, new Orleans.Runtime.GrainTimerCreationOptions(scan, scan) { Interleave = true });
    }

    /// <summary>
    /// Ticks the engine every <c>ZabTickMs</c> while it needs ticks (<see cref="ZabPeer.NeedsTicks"/>),
    /// and not while it does not: the established leader of an ensemble of one has nothing to time
    /// and an idle silo then does not wake 1000 / ZabTickMs times a second for it. Called after every
    /// pump (the first at activation), which follows whatever could make the engine need ticks again.
    /// </summary>
    private void ArmTicks()
    {
        if (Peer.NeedsTicks == (_tickTimer != null)) return;
        if (_tickTimer != null)
        {
            _tickTimer.Dispose();
            _tickTimer = null;
            return;
        }
        var tick = TimeSpan.FromMilliseconds(_options.ZabTickMs);
        _tickTimer = this.RegisterGrainTimer(_ =>
        {
            if (_broken == null)
            {
                Peer.Tick();
                ProbeSilentLeader();
                Wake();
            }
            return Task.CompletedTask;
        }, new Orleans.Runtime.GrainTimerCreationOptions(tick, tick) { Interleave = true });
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Replica {ReplicaId}: the transaction log failed; the replica stops")]
    private partial void LogWriteFailed(Exception e, long replicaId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replica {ReplicaId}: leader {Leader} is gone ({Reason}, {ProbeMs} ms after the probe); looking for a new one")]
    private partial void LogLeaderGone(long replicaId, long leader, string reason, long probeMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replica {ReplicaId}: dropped an unreadable message batch from replica {From}")]
    private partial void LogBadPacket(Exception e, long replicaId, long from);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replica {ReplicaId} installed the leader's snapshot at 0x{Zxid:x} ({Nodes} znodes)")]
    private partial void LogInstalled(long replicaId, long zxid, int nodes);
}
