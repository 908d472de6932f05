using OrleansZk.Core;
using OrleansZk.Zab;

namespace OrleansZk.Storage;

/// <summary>
/// A thread-safe group-commit front for a <see cref="TxnLog"/>: the ZAB host loop hands it each
/// <see cref="PersistJob"/> (<see cref="PersistAsync"/>), and any number of callers may append
/// records directly (<see cref="AppendAsync(IReadOnlyList{LogEntry})"/>); whatever has queued up
/// while the previous batch was being written goes to disk in order as one write and one fsync
/// (then the newest hard state, after the log, as <see cref="ReadyPersistence"/> orders it), and
/// each caller's task completes only when its writes are durable (<see cref="StorageOptions.ForceSync"/> on).
/// <para>Ordering: records are written in the order the <c>AppendAsync</c> calls returned, and zxids
/// must increase in that order (checked synchronously: a call with a zxid not above the last one
/// queued, or a payload above <see cref="StorageOptions.MaxRecordBytes"/>, throws
/// <see cref="ArgumentException"/> and queues nothing). Callers that pick zxids
/// concurrently must pick and call under one lock of their own.</para>
/// <para>Once a <see cref="GroupCommitLog"/> owns a log, touch the log only through
/// <see cref="ExecuteAsync"/>. A failed write faults that batch and every later call.</para>
/// </summary>
public sealed class GroupCommitLog : IAsyncDisposable
{
    private readonly TxnLog _log;
    private readonly object _gate = new();
    private readonly Action<ZabSnapshot>? _saveSnapshot;
    private List<Unit> _pending = [];
    private List<Action<TxnLog>> _pendingActions = [];
    private TaskCompletionSource? _pendingDone;

    /// <summary>When the batch being gathered got its first call (a <see cref="System.Diagnostics.Stopwatch"/> timestamp).</summary>
    private long _pendingSince;

    /// <summary>See <see cref="LastBatchEnd"/>.</summary>
    private long _lastBatchEnd;
    private Task _lastBatch = Task.CompletedTask;
    private long _lastQueued;
    private readonly Thread _flusher;
    private bool _closed;
    private Exception? _fault;
    private long _batches;

    /// <summary>Takes over <paramref name="log"/> (not disposed with this front) and starts the
    /// flusher thread. A dedicated thread, not a pool work item: completing a batch from a pool
    /// thread queues the writers' continuations behind the next flush on that thread's local queue,
    /// which degrades group commit into one fsync per record.</summary>
    public GroupCommitLog(TxnLog log, Action<ZabSnapshot>? saveSnapshot = null)
    {
        _log = log;
        _saveSnapshot = saveSnapshot;
        _lastQueued = log.LastZxid;
        _flusher = new Thread(FlushLoop) { IsBackground = true, Name = "OrleansZk group commit" };
        _flusher.Start();
    }

    /// <summary>The highest zxid queued so far (durable or not).</summary>
    public long LastQueuedZxid
    {
        get { lock (_gate) return _lastQueued; }
    }

    /// <summary>How long each batch waited for the flusher thread (from its first call to the start of its write).</summary>
    public LatencyHistogram WaitTimes { get; } = new();

    /// <summary>How long each batch took to write and fsync (ZooKeeper's fsynctime).</summary>
    public LatencyHistogram FsyncTimes { get; } = new();

    /// <summary>When the last batch became durable (a <see cref="System.Diagnostics.Stopwatch"/> timestamp; 0: none yet).</summary>
    public long LastBatchEnd => Volatile.Read(ref _lastBatchEnd);

    /// <summary>Batches written so far (one write and at most one fsync each).</summary>
    internal long BatchCount => Interlocked.Read(ref _batches);

    /// <summary>Records queued and not yet taken by a batch (tests use it to stage a batch).</summary>
    internal int PendingCount
    {
        get { lock (_gate) return _pending.Sum(u => u.Writes.Sum(w => w is AppendWrite a ? a.Txns.Count : 0)); }
    }

    /// <summary>What one call asked to make durable, in the order it must reach the disk.</summary>
    private readonly record struct Unit(ZabSnapshot? Snapshot, IReadOnlyList<LogWrite> Writes, HardState? Hard);

    /// <summary>Appends one record; completes when it is durable.</summary>
    public Task AppendAsync(LogEntry txn) => AppendAsync([txn]);

    /// <summary>Appends records (zxids increasing, above every zxid queued before); completes when
    /// all are durable. They are written in one batch, contiguously.</summary>
    public Task AppendAsync(IReadOnlyList<LogEntry> txns)
    {
        Task done;
        lock (_gate)
        {
            if (_closed) throw new ObjectDisposedException(nameof(GroupCommitLog));
            if (_fault != null) return Task.FromException(new IOException("the log failed an earlier write", _fault));
            _lastQueued = _log.CheckBatch(txns, _lastQueued);
            _pending.Add(new Unit(null, [new AppendWrite(txns)], null));
            done = Enqueue();
        }
        return done;
    }

    /// <summary>
    /// Queues a ZAB persistence job: its snapshot (made durable through the <c>saveSnapshot</c> given
    /// at construction), its log writes and its hard state, after everything queued before; completes
    /// when all of it is durable. The engine orders its writes itself (zxids are not checked here).
    /// </summary>
    public Task PersistAsync(PersistJob job)
    {
        var ready = job.Ready;
        if (ready.Snapshot != null && _saveSnapshot == null) throw new InvalidOperationException("this log was opened without a way to save snapshots");
        Task done;
        lock (_gate)
        {
            if (_closed) throw new ObjectDisposedException(nameof(GroupCommitLog));
            if (_fault != null) return Task.FromException(new IOException("the log failed an earlier write", _fault));
            _pending.Add(new Unit(ready.Snapshot, ready.LogWrites, ready.HardState));
            done = Enqueue();
        }
        return done;
    }

    /// <summary>Runs <paramref name="action"/> on the log between batches, after every record queued
    /// before this call is durable (e.g. <see cref="TxnLog.PurgeBefore"/>).</summary>
    public Task ExecuteAsync(Action<TxnLog> action)
    {
        Task done;
        lock (_gate)
        {
            if (_closed) throw new ObjectDisposedException(nameof(GroupCommitLog));
            if (_fault != null) return Task.FromException(new IOException("the log failed an earlier write", _fault));
            _pendingActions.Add(action);
            done = Enqueue();
        }
        return done;
    }

    /// <summary>Under the gate: the task of the batch being gathered; wakes the flusher.</summary>
    private Task Enqueue()
    {
        if (_pendingDone == null)
        {
            _pendingSince = System.Diagnostics.Stopwatch.GetTimestamp();
            _pendingDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Monitor.Pulse(_gate);
        }
        return _pendingDone.Task;
    }

    private void FlushLoop()
    {
        while (true)
        {
            List<Unit> batch;
            List<Action<TxnLog>> actions;
            TaskCompletionSource done;
            long since;
            lock (_gate)
            {
                while (_pendingDone == null && !_closed) Monitor.Wait(_gate);
                if (_pendingDone == null) return; // closed and drained
                batch = _pending;
                actions = _pendingActions;
                done = _pendingDone;
                since = _pendingSince;
                _pending = [];
                _pendingActions = [];
                _pendingDone = null;
                _lastBatch = done.Task;
            }
            try
            {
                var start = System.Diagnostics.Stopwatch.GetTimestamp();
                WaitTimes.Record(LatencyHistogram.MicrosecondsBetween(since, start));
                Write(batch);
                var end = System.Diagnostics.Stopwatch.GetTimestamp();
                FsyncTimes.Record(LatencyHistogram.MicrosecondsBetween(start, end));
                Volatile.Write(ref _lastBatchEnd, end);
                Interlocked.Increment(ref _batches);
                foreach (var a in actions) a(_log);
                done.SetResult();
            }
            catch (Exception e)
            {
                TaskCompletionSource? later;
                lock (_gate)
                {
                    _fault = e;
                    later = _pendingDone;
                    _pendingDone = null;
                    _pending.Clear();
                    _pendingActions.Clear();
                }
                done.SetException(e);
                later?.SetException(new IOException("the log failed an earlier write", e));
                return;
            }
        }
    }

    /// <summary>
    /// Writes a batch: each unit's snapshot durable before its log writes, every log write in order,
    /// one fsync, then the newest hard state (which <see cref="TxnLog.SetHardState"/> makes durable
    /// after the log). Consecutive appends go to the log as one write.
    /// </summary>
    private void Write(List<Unit> batch)
    {
        HardState? hard = null;
        var appends = new List<LogEntry>();
        void FlushAppends()
        {
            if (appends.Count == 0) return;
            _log.Append(appends);
            appends = [];
        }
        foreach (var unit in batch)
        {
            if (unit.Snapshot is { } snapshot)
            {
                FlushAppends();
                _saveSnapshot!(snapshot);
            }
            foreach (var w in unit.Writes)
            {
                switch (w)
                {
                    case AppendWrite a: appends.AddRange(a.Txns); break;
                    case TruncateWrite t: FlushAppends(); _log.TruncateAfter(t.AfterZxid); break;
                    case ResetWrite r: FlushAppends(); _log.ResetTo(r.BaseZxid); break;
                }
            }
            if (unit.Hard is { } h) hard = h;
        }
        FlushAppends();
        _log.Sync();
        if (hard is { } state) _log.SetHardState(state);
    }

    /// <summary>Stops taking calls and waits until everything queued is durable (or failed).</summary>
    public async ValueTask DisposeAsync()
    {
        Task last;
        lock (_gate)
        {
            _closed = true;
            last = _pendingDone?.Task ?? _lastBatch;
            Monitor.Pulse(_gate);
        }
        try
        {
            await last.ConfigureAwait(false);
        }
        catch
        {
            // Already reported to the callers of that batch.
        }
    }
}
