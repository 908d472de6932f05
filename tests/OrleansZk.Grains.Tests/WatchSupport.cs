using OrleansZk.Core;

namespace OrleansZk.Grains.Tests;

/// <summary>
/// Collects the watch events pushed to a session's observer, checking as messages arrive that seqs are
/// contiguous from 1 and zxids never go back; waits for a seq with a deadline (never a bare sleep).
/// </summary>
internal sealed class EventCollector : IZkWatchObserver, IDisposable
{
    private readonly List<WatchEvent> _events = [];
    private readonly List<string> _violations = [];
    private readonly List<(long Seq, TaskCompletionSource Done)> _waiters = [];
    private readonly IClusterClient _client;
    private readonly long _sessionId;
    private long _firstSeq = 1;

    private EventCollector(IClusterClient client, long sessionId) => (_client, _sessionId) = (client, sessionId);

    /// <summary>The observer reference the replica pushes to (the collector itself, kept alive by the caller).</summary>
    public IZkWatchObserver Reference { get; private set; } = null!;

    /// <summary>Registers a new collector as the session's observer (an empty re-registration: where the numbering stands is seq 0 for a new session).</summary>
    public static async Task<EventCollector> SubscribeAsync(IClusterClient client, IZkReplicaGrain replica, long sessionId)
    {
        var (collector, reply) = await TakeOverAsync(client, replica, sessionId);
        Assert.Equal(0, reply.EventSeq);
        return collector;
    }

    /// <summary>Registers a new collector as the session's observer in place of any earlier one; events after the reply's seq come to it.</summary>
    public static async Task<(EventCollector Collector, WatchesReply Reply)> TakeOverAsync(IClusterClient client, IZkReplicaGrain replica, long sessionId)
    {
        var collector = new EventCollector(client, sessionId);
        collector.Reference = client.CreateObjectReference<IZkWatchObserver>(collector);
        var reply = await replica.SetWatches(sessionId, 0, WatchSet.Empty, collector.Reference);
        Assert.Equal(ZkErrorCode.Ok, reply.Code);
        lock (collector._events)
        {
            // Seqs before the reply's belong to the earlier observer: this one counts from there.
            collector._firstSeq = reply.EventSeq + 1;
        }
        return (collector, reply);
    }

    /// <summary>When set, the next message is not answered (nor recorded) until this completes: a client that does not answer.</summary>
    public TaskCompletionSource? HoldNext { get; set; }

    /// <summary>How many messages were pushed (each may carry several events).</summary>
    public int Messages { get; private set; }

    public async Task OnWatchEvents(WatchEvents message)
    {
        if (HoldNext is { } hold)
        {
            HoldNext = null;
            await hold.Task;
        }
        Record(message);
    }

    private void Record(WatchEvents message)
    {
        lock (_events)
        {
            Messages++;
            if (message.SessionId != _sessionId) _violations.Add($"message for session {message.SessionId} pushed to session {_sessionId}'s observer");
            foreach (var e in message.Events)
            {
                var last = _events.Count == 0 ? null : _events[^1];
                if (e.Seq != _firstSeq + _events.Count) _violations.Add($"seq {e.Seq} after {_firstSeq - 1 + _events.Count}");
                if (last != null && e.Zxid < last.Zxid) _violations.Add($"zxid 0x{e.Zxid:x} after 0x{last.Zxid:x}");
                if (e.Zxid > message.ThroughZxid) _violations.Add($"event at 0x{e.Zxid:x} in a message through 0x{message.ThroughZxid:x}");
                _events.Add(e);
            }
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Seq > _firstSeq - 1 + _events.Count) continue;
                _waiters[i].Done.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
    }

    /// <summary>Every event received so far, in arrival order (seq order, once checked).</summary>
    public IReadOnlyList<WatchEvent> Events
    {
        get
        {
            lock (_events)
            {
                Assert.Empty(_violations);
                return _events.ToList();
            }
        }
    }

    /// <summary>Waits until the events through <paramref name="seq"/> have arrived.</summary>
    public async Task<IReadOnlyList<WatchEvent>> Through(long seq, TimeSpan? deadline = null)
    {
        Task wait;
        lock (_events)
        {
            if (_firstSeq - 1 + _events.Count >= seq) return Events;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((seq, done));
            wait = done.Task;
        }
        try
        {
            await wait.WaitAsync(deadline ?? TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"events through seq {seq} did not arrive (have {Events.Count})");
        }
        return Events;
    }

    public void Dispose() => _client.DeleteObjectReference<IZkWatchObserver>(Reference);
}

/// <summary>A session talking to the grains directly (as the SDK does): numbered writes, reads with the watch flag, its pushed events.</summary>
internal sealed class WatchSession : IAsyncDisposable
{
    private static readonly IReadOnlyList<Acl> Open = [Acl.OpenUnsafe];
    private readonly IClusterClient _client;
    private int _xid;

    private WatchSession(IClusterClient client, SessionInfo info, EventCollector events)
    {
        _client = client;
        Info = info;
        Events = events;
    }

    public SessionInfo Info { get; }
    public EventCollector Events { get; }
    public long Id => Info.SessionId;

    /// <summary>The highest zxid this session has seen (its reads' minZxid).</summary>
    public long LastZxid { get; private set; }

    /// <summary>The event seq the last write reply reported.</summary>
    public long Seq { get; private set; }

    public IZkReplicaGrain Replica => _client.GetGrain<IZkReplicaGrain>(Info.Service.ReplicaId);

    public IZkPartitionGrain PartitionOf(string path) =>
        _client.GetGrain<IZkPartitionGrain>(PathHash.PartitionOf(path, Info.Service.Partitions));

    public static async Task<WatchSession> OpenAsync(IClusterClient client)
    {
        var info = await client.GetGrain<IZkReplicaGrain>(1).CreateSession(30_000, Guid.NewGuid().ToByteArray());
        var events = await EventCollector.SubscribeAsync(client, client.GetGrain<IZkReplicaGrain>(info.Service.ReplicaId), info.SessionId);
        return new WatchSession(client, info, events) { LastZxid = info.Zxid };
    }

    /// <summary>A write that must succeed; checks the reply's event marks never go back.</summary>
    public async Task<WriteReply> Write(WriteRequest request)
    {
        var reply = await Replica.Submit(Id, Interlocked.Increment(ref _xid), request);
        Assert.True(reply.Code == ZkErrorCode.Ok, $"{request}: {reply.Code} {reply.Detail}");
        Assert.True(reply.EventZxid >= reply.Zxid, $"reply's events-through zxid 0x{reply.EventZxid:x} below its own 0x{reply.Zxid:x}");
        lock (this)
        {
            // Pipelined writes' replies may come back in any order: keep the highest marks.
            Seq = Math.Max(Seq, reply.EventSeq);
            LastZxid = Math.Max(LastZxid, reply.EventZxid);
        }
        return reply;
    }

    public Task<WriteReply> Create(string path, byte[]? data = null) => Write(new CreateRequest(path, data, Open, CreateMode.Persistent));

    public async Task<ReadReply> Read(ReadKind kind, string path, bool watch = true)
    {
        var reply = await PartitionOf(path).Read(new ReadCall(kind, path, Id, 0, LastZxid, watch));
        LastZxid = Math.Max(LastZxid, reply.Zxid);
        return reply;
    }

    public async Task<ReadReply> AddWatch(string path, AddWatchMode mode)
    {
        var reply = await PartitionOf(path).AddWatch(Id, path, mode, LastZxid);
        Assert.Equal(ZkErrorCode.Ok, reply.Code);
        return reply;
    }

    public Task<ReadReply> RemoveWatches(string path, WatcherType type) => PartitionOf(path).RemoveWatches(Id, path, type, LastZxid);

    /// <summary>The events a write reply says were sent before it (those after <paramref name="before"/>), once they have arrived.</summary>
    public async Task<IReadOnlyList<WatchEvent>> EventsOf(WriteReply reply, long before)
    {
        var all = await Events.Through(reply.EventSeq);
        // Everything this write caused is in: no event of the session at or below its zxid comes later.
        return all.Where(e => e.Seq > before && e.Seq <= reply.EventSeq).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        Events.Dispose();
        await Replica.Submit(Id, Interlocked.Increment(ref _xid), new CloseSessionRequest());
    }
}
