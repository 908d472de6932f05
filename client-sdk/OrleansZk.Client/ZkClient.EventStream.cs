using System.Threading.Channels;
using Orleans;
using OrleansZk.Core;

namespace OrleansZk.Client;

/// <summary>
/// The session's watch events (docs/watches.md): the observer they are pushed to, accepting messages
/// in seq order, the dispatcher that calls the watchers, replies held behind their events, and
/// re-registration after a reconnect or a loss.
/// </summary>
/// <remarks>
/// <para>Push: the leader numbers the session's events 1, 2, 3, ... (per leadership, the epoch) and
/// pushes them to this client's grain observer, which it hands the leader when it sets its first
/// watch. Messages are accepted in seq order; a duplicate is dropped; a gap, a new epoch, a
/// reconnect, a ping saying events were numbered that never came, or a reply held too long means
/// something was lost, and the client re-registers: it sends its observer and its watches with the
/// zxid through which it has every event (<see cref="IZkReplicaGrain.SetWatches"/>). The service
/// answers at a point between two batches with the events that fired meanwhile (one-shot watches
/// whose node changed, and every change a persistent watch missed) and the seq after which pushed
/// messages carry the rest; messages up to that seq are superseded.</para>
/// <para>Delivery: accepted events go, in order, to one dispatcher that calls the watchers one at a
/// time. Write replies say through which seq the writer's events were sent, and read replies the last
/// zxid at which the partition fired one of the session's watches; such a reply is handed over only
/// once the dispatcher has passed those events.</para>
/// </remarks>
public sealed partial class ZkClient
{
    /// <summary>How long a reply waits for the events it must follow before they are taken as lost.</summary>
    private static readonly TimeSpan HoldTimeout = TimeSpan.FromSeconds(3);

    /// <summary>How many accepted events are remembered, so a replay never delivers one twice.</summary>
    private const int RecentEvents = 4_096;

    /// <summary>How many events that matched no watcher are kept for a watch whose registration is still in flight.</summary>
    private const int UnmatchedEvents = 256;

    private readonly Lock _watchLock = new();
    private readonly ClientWatches _watches = new();
    private readonly Channel<Dispatch> _dispatch = Channel.CreateUnbounded<Dispatch>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<WatchEvents> _held = [];
    private readonly List<(long Epoch, long Seq, long Zxid)> _markers = [];
    private readonly List<(long Zxid, TaskCompletionSource Done)> _throughWaiters = [];
    private readonly RecentSet<(WatchEventType, string, long)> _recent = new(RecentEvents);
    private readonly LinkedList<WatchedEvent> _unmatched = new();
    private readonly HashSet<ChannelWriter<WatchedEvent>> _enumerations = [];

    /// <summary>The lowest zxid the next re-registration must replay from (restored watches: <see cref="RestoreWatchesAsync"/>); null when none asked.</summary>
    private long? _replayFloor;

    /// <summary>The first attach; null until the first watch.</summary>
    private Task? _watching;
    private Task _reregistering = Task.CompletedTask;
    private Task? _dispatcher;

    /// <summary>The observer events are pushed to (kept here: Orleans holds observers weakly) and its reference; created at the first attach.</summary>
    private WatchObserver? _observer;
    private IZkWatchObserver? _observerRef;

    /// <summary>Set once the observer is registered and the service has said where it stands: replies are held, pings checked, losses recovered only from then on.</summary>
    private volatile bool _attached;

    /// <summary>True while (re)attaching: messages are held until the service says where it stands.</summary>
    private bool _syncing;
    private bool _watchesEnded;
    private long _epoch;
    private long _accepted;
    private long _acceptedThrough;
    private long _dispatchedThrough;
    private long _pingSeqToCheck;
    private long _registrationLosses;

    /// <summary>
    /// When set, each event is handed to this instead of its watchers: the event and every watcher
    /// it goes to, at once (the ZooKeeper client port sends one notification per event, placed after
    /// the replies of the reads that set the watches it fires). Called on the dispatcher, one event at a time.
    /// </summary>
    internal Action<WatchedEvent, IReadOnlyList<Action<WatchedEvent>>>? EventObserver { get; set; }

    /// <summary>Test hook: how many of the next pushed messages are dropped on arrival, as if lost.</summary>
    internal int DropEventMessagesForTest { get; set; }

    /// <summary>Test hook: how many re-registrations have completed.</summary>
    internal int Reregistrations { get; private set; }

    /// <summary>Registers the observer and learns where the session's events stand, once (again after a failed attempt); waits for a re-registration in progress.</summary>
    private async Task EnsureWatchingAsync(CancellationToken ct)
    {
        Task watching, reregistering;
        lock (_watchLock)
        {
            if (_watchesEnded) throw ExpiredOrClosed();
            if (_watching == null || _watching.IsFaulted || _watching.IsCanceled)
            {
                _syncing = true;
                _watching = AttachAsync();
            }
            watching = _watching;
            reregistering = _reregistering;
        }
        await AwaitReply(Completed(watching), null, ct).ConfigureAwait(false);
        // A new watch waits for a re-registration in progress (it would not be in its snapshot).
        await AwaitReply(Completed(reregistering), null, ct).ConfigureAwait(false);

        static async Task<bool> Completed(Task task)
        {
            await task.ConfigureAwait(false);
            return true;
        }
    }

    private async Task AttachAsync()
    {
        try
        {
            await ConnectAsync().ConfigureAwait(false);
            var info = OpenedSession ?? throw ZkFailures.Closed();
            lock (_watchLock) _dispatcher ??= Task.Run(DispatchAsync);
            var reply = await Replica(info).SetWatches(info.SessionId, LastZxid, WatchSet.Empty, Observer()).ConfigureAwait(false);
            if (reply.Code == ZkErrorCode.SessionExpired) throw OnExpired(reply.Detail ?? $"session 0x{info.SessionId:x} expired");
            if (reply.Code != ZkErrorCode.Ok) throw ZkException.For(reply.Code, null, reply.Detail);
            lock (_watchLock) ResumeLocked(reply);
        }
        catch
        {
            lock (_watchLock) _syncing = false;
            throw;
        }
    }

    /// <summary>This client's observer reference, created once (the same one across re-registrations, so the leader keeps its order).</summary>
    private IZkWatchObserver Observer()
    {
        lock (_watchLock)
        {
            if (_watchesEnded) throw ExpiredOrClosed();
            if (_observerRef == null)
            {
                _observer = new WatchObserver(this);
                _observerRef = _cluster.CreateObjectReference<IZkWatchObserver>(_observer);
            }
            return _observerRef;
        }
    }

    /// <summary>Receives the pushed messages (Orleans calls it one message at a time, in the order sent).</summary>
    private sealed class WatchObserver(ZkClient client) : IZkWatchObserver
    {
        public Task OnWatchEvents(WatchEvents message)
        {
            client.OnPushed(message);
            return Task.CompletedTask;
        }
    }

    /// <summary>A pushed message: accepted in seq order, held while re-attaching, a gap or a new epoch starts a re-registration.</summary>
    private void OnPushed(WatchEvents message)
    {
        lock (_watchLock)
        {
            if (_watchesEnded || message.Events.Count == 0) return;
            if (DropEventMessagesForTest > 0)
            {
                DropEventMessagesForTest--;
                return;
            }
            if (_syncing)
            {
                _held.Add(message);
                return;
            }
            AcceptOrHoldLocked(message);
        }
    }

    private void AcceptOrHoldLocked(WatchEvents message)
    {
        if (message.Epoch != _epoch)
        {
            _held.Add(message);
            StartReregistrationLocked(); // events numbered by a new replica activation
            return;
        }
        if (message.Events[^1].Seq <= _accepted) return; // a duplicate
        if (message.Events[0].Seq > _accepted + 1)
        {
            _held.Add(message);
            StartReregistrationLocked(); // a gap: seqs missing before this message
            return;
        }
        foreach (var e in message.Events)
            if (e.Seq > _accepted) AcceptLocked(new WatchedEvent(e.Type, e.Path, e.Zxid));
        _accepted = message.Events[^1].Seq;
        ProgressLocked(message.ThroughZxid);
        ReleaseMarkersLocked();
    }

    /// <summary>Hands an event to its watchers (through the dispatcher); a replayed event already delivered by a pushed message is dropped.</summary>
    private void AcceptLocked(WatchedEvent e, bool replayed = false)
    {
        var key = (e.Type, e.Path, e.Zxid);
        if (!_recent.Add(key) && replayed) return;
        var watchers = _watches.Materialize(e);
        if (watchers.Count > 0)
        {
            _dispatch.Writer.TryWrite(new Dispatch(e, watchers, 0));
            return;
        }
        // Perhaps for a watch whose read is still on its way back: kept a while for it (see Register).
        _unmatched.AddLast(e);
        if (_unmatched.Count > UnmatchedEvents) _unmatched.RemoveFirst();
    }

    /// <summary>Every event caused through <paramref name="zxid"/> has been accepted: once the dispatcher gets here, replies waiting for it go.</summary>
    private void ProgressLocked(long zxid)
    {
        if (zxid <= _acceptedThrough) return;
        _acceptedThrough = zxid;
        _dispatch.Writer.TryWrite(new Dispatch(null, null, zxid));
    }

    private void ReleaseMarkersLocked()
    {
        for (var i = _markers.Count - 1; i >= 0; i--)
        {
            var (epoch, seq, zxid) = _markers[i];
            if (epoch == _epoch && seq > _accepted) continue;
            _markers.RemoveAt(i);
            ProgressLocked(zxid);
        }
    }

    /// <summary>
    /// The service said where the session's events stand (attach or re-registration): the replayed events go
    /// first, pushed messages up to its seq are superseded, and the held ones after it follow.
    /// </summary>
    private void ResumeLocked(WatchesReply reply)
    {
        _syncing = false;
        _attached = true;
        _pingSeqToCheck = 0;
        _registrationLosses = reply.RegistrationLosses;
        _epoch = reply.EventEpoch;
        _accepted = reply.EventSeq;
        foreach (var e in reply.Replayed) AcceptLocked(new WatchedEvent(e.Type, e.Path, e.Zxid), replayed: true);
        ProgressLocked(reply.Zxid);
        // Replies numbered before this point are covered by it (their events were replayed or delivered).
        for (var i = _markers.Count - 1; i >= 0; i--)
        {
            if (_markers[i].Epoch == _epoch && _markers[i].Seq > _accepted) continue;
            _markers.RemoveAt(i);
        }
        var held = _held.Where(m => m.Epoch == _epoch && m.Events[^1].Seq > _accepted).OrderBy(m => m.Events[0].Seq).ToList();
        _held.Clear();
        foreach (var message in held)
        {
            if (_syncing) _held.Add(message);
            else AcceptOrHoldLocked(message);
        }
    }

    /// <summary>Starts re-registering (once at a time): send the observer and every watch with the zxid through which all events were accepted.</summary>
    private void StartReregistrationLocked()
    {
        if (_syncing || _watchesEnded || !_attached) return;
        _syncing = true;
        _reregistering = ReregisterAsync();
    }

    private async Task ReregisterAsync()
    {
        var retry = TimeSpan.FromMilliseconds(Math.Clamp(SessionTimeoutMs / 10, 10, 1_000));
        while (true)
        {
            if (_state.IsFinal() || _watchesEnded) return;
            try
            {
                var info = OpenedSession ?? throw ZkFailures.Closed();
                WatchSet set;
                long lastZxid;
                lock (_watchLock)
                {
                    (set, lastZxid) = (_watches.Snapshot(), Math.Min(_acceptedThrough, _replayFloor ?? long.MaxValue));
                    _replayFloor = null;
                }
                var reply = await Replica(info).SetWatches(info.SessionId, lastZxid, set, Observer()).WaitAsync(_options.RequestTimeout).ConfigureAwait(false);
                if (reply.Code == ZkErrorCode.SessionExpired)
                {
                    OnExpired(reply.Detail ?? $"session 0x{info.SessionId:x} expired");
                    return;
                }
                if (reply.Code == ZkErrorCode.Ok)
                {
                    lock (_watchLock)
                    {
                        ResumeLocked(reply);
                        Reregistrations++;
                    }
                    return;
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Unreachable now: try again shortly (the heartbeat notices a lost connection meanwhile).
            }
            await Task.Delay(retry).ConfigureAwait(false);
        }
    }

    /// <summary>A write reply: handed over once the writer's events it names have been delivered.</summary>
    private Task HoldForWrite(WriteReply reply)
    {
        // Before the first attach succeeds this client has no watch at the service, so no event to wait for.
        if (!_attached) return Task.CompletedTask;
        Task wait;
        lock (_watchLock)
        {
            if (_watchesEnded || reply.EventEpoch == 0) return Task.CompletedTask;
            if (reply.EventEpoch == _epoch && reply.EventSeq <= _accepted) ProgressLocked(reply.EventZxid);
            else
            {
                _markers.Add((reply.EventEpoch, reply.EventSeq, reply.EventZxid));
                if (reply.EventEpoch != _epoch) StartReregistrationLocked(); // events numbered by a new replica activation
            }
            wait = WaitThroughLocked(reply.EventZxid);
        }
        return wait.IsCompleted ? wait : HoldAsync(wait);
    }

    /// <summary>A read reply: handed over once the event the partition last fired for this session has been delivered.</summary>
    private Task HoldForRead(ReadReply reply)
    {
        if (!_attached || reply.FiredZxid == 0) return Task.CompletedTask;
        Task wait;
        lock (_watchLock)
        {
            if (_watchesEnded) return Task.CompletedTask;
            wait = WaitThroughLocked(reply.FiredZxid);
        }
        return wait.IsCompleted ? wait : HoldAsync(wait);
    }

    private Task WaitThroughLocked(long zxid)
    {
        if (zxid <= _dispatchedThrough) return Task.CompletedTask;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _throughWaiters.Add((zxid, done));
        return done.Task;
    }

    /// <summary>Waits for the events; if they do not come in time they were lost: re-register, and wait for that (the reply goes in any case).</summary>
    private async Task HoldAsync(Task delivered)
    {
        if (await Task.WhenAny(delivered, Task.Delay(HoldTimeout)).ConfigureAwait(false) == delivered) return;
        lock (_watchLock) StartReregistrationLocked(); // events not received in time
        await Task.WhenAny(delivered, Task.Delay(_options.RequestTimeout)).ConfigureAwait(false);
    }

    /// <summary>A ping's word on the pushed events: events it says were numbered must have come by the next ping.</summary>
    private void OnPingEvents(PingReply reply)
    {
        if (!_attached) return;
        lock (_watchLock)
        {
            if (_syncing || _watchesEnded) return;
            if (reply.EventEpoch != _epoch)
            {
                StartReregistrationLocked(); // events numbered by a new replica activation
                return;
            }
            var losses = _registrationLosses;
            _registrationLosses = reply.RegistrationLosses;
            if (reply.RegistrationLosses != losses)
            {
                StartReregistrationLocked(); // a partition lost its registrations
                return;
            }
            if (_pingSeqToCheck > _accepted)
            {
                StartReregistrationLocked(); // the seqs the previous ping reported never came
                _pingSeqToCheck = 0;
                return;
            }
            if (reply.EventSeq <= _accepted)
            {
                ProgressLocked(reply.EventZxid);
                _pingSeqToCheck = 0;
            }
            else _pingSeqToCheck = reply.EventSeq;
        }
    }

    /// <summary>Reconnected: registrations may have been lost with the connection, re-register (as ZooKeeper's client does).</summary>
    private void OnReconnectedWatches()
    {
        if (!_attached) return;
        lock (_watchLock) StartReregistrationLocked(); // reconnected
    }

    /// <summary>The session ended: no more events; enumerations end (with SessionExpiredException on expiry), waiting replies go.</summary>
    private void EndWatches(bool expired)
    {
        IZkWatchObserver? observer;
        lock (_watchLock)
        {
            if (_watchesEnded) return;
            _watchesEnded = true;
            _watches.Clear();
            foreach (var writer in _enumerations) writer.TryComplete(expired ? ExpiredFailure() : null);
            _enumerations.Clear();
            foreach (var (_, done) in _throughWaiters) done.TrySetResult();
            _throughWaiters.Clear();
            _dispatch.Writer.TryComplete();
            observer = _observerRef;
            _observerRef = null;
        }
        if (observer == null) return;
        try
        {
            _cluster.DeleteObjectReference<IZkWatchObserver>(observer);
        }
        catch (Exception)
        {
            // The Orleans client is stopping.
        }
    }

    private ZkException ExpiredOrClosed() => _state == ZkClientState.Expired ? ExpiredFailure() : ZkFailures.Closed();
}
