namespace OrleansZk.Wire.Server;

/// <summary>
/// The order of a connection's output. Replies go out in request order, each once its request is
/// answered (ZooKeeper's clients match replies to requests by xid, in order). A notification goes
/// out before every reply not yet sent — it precedes the replies that reflect its change, which the
/// SDK completes only after handing it over — except that it waits for the reply of the read that
/// set the watch it fires (<c>after</c>), because a client registers a watch only when that reply
/// arrives and would drop a notification that came first.
/// </summary>
/// <remarks>Thread-safe: requests are added by the reading loop, notifications by the session's
/// event dispatcher, and one writer takes frames with <see cref="NextAsync"/>. A writer waiting in
/// <see cref="NextAsync"/> for a client that waits for each reply is resumed on the thread that made
/// its frame ready (the one that completed the reply, queued a notification or answered at once), so
/// the reply goes to the socket without first waking another thread for it (see <c>WakeWriter</c>);
/// the reading side's wait for room is resumed on the thread pool, so that reading never runs inside
/// a writer.</remarks>
public sealed class ReplySequencer
{
    private readonly Lock _lock = new();
    private readonly Queue<Slot> _slots = new();
    private readonly Queue<WireReply> _immediate = new();
    private readonly int _maxQueuedNotifications;

    /// <summary>The writer's wait for frames, when it waits (<see cref="NextAsync"/>).</summary>
    private TaskCompletionSource? _writerWait;

    /// <summary>The reading side's wait for room, when it waits (<see cref="WaitForRoomAsync"/>).</summary>
    private TaskCompletionSource? _roomWait;
    private long _nextSeq;
    private int _queuedNotifications;
    private bool _completed;

    /// <param name="maxQueuedNotifications">Notifications waiting to be sent beyond which <see cref="Overflowed"/> is set (a reader that stopped reading).</param>
    public ReplySequencer(int maxQueuedNotifications) => _maxQueuedNotifications = maxQueuedNotifications;

    /// <summary>Replies issued and not yet taken by the writer.</summary>
    public int Outstanding
    {
        get
        {
            lock (_lock) return _slots.Count;
        }
    }

    /// <summary>Set when more notifications wait than allowed: the connection should close (the client resets its watches on reconnect).</summary>
    public bool Overflowed { get; private set; }

    /// <summary>At most this many replies per batch, so the writer hands the socket a bounded amount at a time.</summary>
    public const int MaxBatch = 64;

    /// <summary>A place in the output for the next request, before its reply exists (a watch it sets may fire before the reply does).</summary>
    public Slot Reserve()
    {
        lock (_lock) return new Slot(++_nextSeq);
    }

    /// <summary>Puts <paramref name="slot"/> in line (in the order of the calls) with its reply to come.</summary>
    public void Enqueue(Slot slot, Task<WireReply> reply)
    {
        lock (_lock)
        {
            slot.Reply = reply;
            _slots.Enqueue(slot);
        }
        // Runs at once when the reply is already there: the writer learns of it either way.
        reply.ContinueWith(static (_, s) => ((ReplySequencer)s!).WakeWriter(), this, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Sends <paramref name="notification"/> after the latest of the <paramref name="after"/> slots not yet sent, or, when all are sent (or none given), before every reply not yet sent.</summary>
    public void Notify(WireReply notification, IEnumerable<Slot> after)
    {
        lock (_lock)
        {
            if (_completed) return;
            Slot? latest = null;
            foreach (var slot in after)
                if (!slot.Sent && (latest == null || slot.Seq > latest.Seq)) latest = slot;
            if (latest != null) latest.Trailing.Add(notification);
            else _immediate.Enqueue(notification);
            if (++_queuedNotifications > _maxQueuedNotifications) Overflowed = true;
        }
        WakeWriter();
    }

    /// <summary>Waits until fewer than <paramref name="max"/> replies are outstanding (a client that stops reading its replies stops being read).</summary>
    public async Task WaitForRoomAsync(int max, CancellationToken ct)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (_slots.Count < max || _completed) return;
                _roomWait ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                changed = _roomWait.Task;
            }
            await changed.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>No more requests: <see cref="NextAsync"/> returns null once everything in line is taken.</summary>
    public void Complete()
    {
        lock (_lock) _completed = true;
        WakeWriter();
        WakeReader();
    }

    /// <summary>
    /// The next frames to send, in order (notifications, and replies with the notifications that
    /// wait for them; at most <see cref="MaxBatch"/> replies); null when completed and nothing is
    /// left. One caller at a time.
    /// </summary>
    public async Task<List<WireReply>?> NextAsync(CancellationToken ct)
    {
        while (true)
        {
            Task changed;
            var taken = false;
            List<WireReply>? result = null;
            lock (_lock)
            {
                var batch = new List<WireReply>();
                while (_immediate.Count > 0)
                {
                    batch.Add(_immediate.Dequeue());
                    _queuedNotifications--;
                }
                while (batch.Count < MaxBatch && _slots.TryPeek(out var head) && head.Reply!.IsCompleted)
                {
                    _slots.Dequeue();
                    head.Sent = true;
                    batch.Add(head.Reply.IsCompletedSuccessfully ? head.Reply.Result : throw head.Reply.Exception!.GetBaseException());
                    // A watch registration keeps its slot until the watch fires: not the reply's data.
                    head.Reply = null;
                    batch.AddRange(head.Trailing);
                    _queuedNotifications -= head.Trailing.Count;
                    head.Trailing.Clear();
                    // Notifications that came while taking this reply go before the next one.
                    while (_immediate.Count > 0)
                    {
                        batch.Add(_immediate.Dequeue());
                        _queuedNotifications--;
                    }
                }
                if (batch.Count > 0)
                {
                    taken = true;
                    result = batch;
                    changed = Task.CompletedTask;
                }
                else if (_completed && _slots.Count == 0) return null;
                else
                {
                    _writerWait ??= new TaskCompletionSource();
                    changed = _writerWait.Task;
                }
            }
            if (taken)
            {
                // Room for more requests: the reading side may wait for it (WaitForRoomAsync).
                WakeReader();
                return result;
            }
            await changed.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Resumes a waiting writer: on this thread when at most one request is in line (a client that
    /// waits for each reply: nothing is gained by waiting for more), else from this thread's queue
    /// once the work at hand is done, so that the replies of a pipelining client completing one after
    /// another go out together, in one write.
    /// </summary>
    private void WakeWriter()
    {
        TaskCompletionSource? waiting;
        bool inline;
        lock (_lock)
        {
            waiting = _writerWait;
            _writerWait = null;
            inline = _slots.Count <= 1;
        }
        if (waiting == null) return;
        if (inline) waiting.TrySetResult();
        else ThreadPool.UnsafeQueueUserWorkItem(static w => w.TrySetResult(), waiting, preferLocal: true);
    }

    private void WakeReader()
    {
        TaskCompletionSource? waiting;
        lock (_lock)
        {
            waiting = _roomWait;
            _roomWait = null;
        }
        waiting?.TrySetResult();
    }

    /// <summary>A request's place in the output.</summary>
    public sealed class Slot(long seq)
    {
        /// <summary>Its position: later requests have higher ones.</summary>
        public long Seq { get; } = seq;

        internal Task<WireReply>? Reply;

        /// <summary>Whether its reply has been taken by the writer (guarded by the sequencer's lock).</summary>
        internal bool Sent;

        /// <summary>Notifications to send right after its reply (guarded by the sequencer's lock).</summary>
        internal readonly List<WireReply> Trailing = [];
    }
}
