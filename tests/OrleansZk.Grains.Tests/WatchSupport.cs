using Orleans.Runtime;
using Orleans.Streams;
using OrleansZk.Core;

namespace OrleansZk.Grains.Tests;

/// <summary>
/// Collects a session's watch-event stream, checking as messages arrive that seqs are contiguous from
/// 1 and zxids never go back; waits for a seq with a deadline (never a bare sleep).
/// </summary>
internal sealed class EventCollector : IAsyncDisposable
{
    private readonly List<WatchEvent> _events = [];
    private readonly List<string> _violations = [];
    private readonly List<(long Seq, TaskCompletionSource Done)> _waiters = [];
    private StreamSubscriptionHandle<WatchEvents>? _handle;

    public static async Task<EventCollector> SubscribeAsync(IClusterClient client, long sessionId)
    {
        var collector = new EventCollector();
        var stream = client.GetStreamProvider(ZkDefaults.StreamProvider)
            .GetStream<WatchEvents>(StreamId.Create(ZkDefaults.WatchStreamNamespace, sessionId));
        collector._handle = await stream.SubscribeAsync((message, _) => collector.OnMessage(sessionId, message));
        return collector;
    }

    private Task OnMessage(long sessionId, WatchEvents message)
    {
        lock (_events)
        {
            if (message.SessionId != sessionId) _violations.Add($"message for session {message.SessionId} on session {sessionId}'s stream");
            foreach (var e in message.Events)
            {
                var last = _events.Count == 0 ? null : _events[^1];
                if (e.Seq != _events.Count + 1) _violations.Add($"seq {e.Seq} after {_events.Count}");
                if (last != null && e.Zxid < last.Zxid) _violations.Add($"zxid 0x{e.Zxid:x} after 0x{last.Zxid:x}");
                if (e.Zxid > message.ThroughZxid) _violations.Add($"event at 0x{e.Zxid:x} in a message through 0x{message.ThroughZxid:x}");
                _events.Add(e);
            }
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Seq > _events.Count) continue;
                _waiters[i].Done.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
        return Task.CompletedTask;
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
            if (_events.Count >= seq) return Events;
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

    public async ValueTask DisposeAsync()
    {
        if (_handle != null) await _handle.UnsubscribeAsync();
    }
}

/// <summary>A session talking to the grains directly (as the SDK will): numbered writes, reads with the watch flag, its event stream.</summary>
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
        var events = await EventCollector.SubscribeAsync(client, info.SessionId);
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
        await Events.DisposeAsync();
        await Replica.Submit(Id, Interlocked.Increment(ref _xid), new CloseSessionRequest());
    }
}
