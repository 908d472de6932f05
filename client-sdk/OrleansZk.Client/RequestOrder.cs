namespace OrleansZk.Client;

/// <summary>
/// FIFO bookkeeping for one client: every request takes effect in the order it was issued
/// (ZooKeeper's guarantee), while as many as possible stay in flight.
/// <list type="bullet">
/// <item>Writes and syncs ("ordered" requests, numbered in issue order) go out at once: the replica
/// applies them in xid order by itself — except behind an addauth (the replica does not order
/// those) and behind reads issued before them, which must not see them.</item>
/// <item>A read goes out once every ordered request issued before it has completed, so it sees
/// them; reads never wait for each other.</item>
/// <item>An addauth — or a fenced write — waits for everything issued before it, and every later request waits for it.</item>
/// </list>
/// Completions arrive in any order; each <see cref="Frontier"/> tracks the number through which
/// all have completed. Thread-safe.
/// </summary>
internal sealed class RequestOrder
{
    private readonly Lock _lock = new();
    private readonly Frontier _ordered = new();
    private readonly Frontier _reads = new();
    private long _lastAuth;

    /// <summary>Issues a write or sync: sendable once every earlier addauth and every earlier read has completed.</summary>
    public Ticket IssueWrite()
    {
        lock (_lock)
        {
            var ready = Both(_ordered.WhenCompletedThrough(_lastAuth), _reads.WhenCompletedThrough(_reads.Issued));
            return new Ticket(_ordered.Issue(), ready);
        }
    }

    /// <summary>Issues an addauth: sendable once everything issued before it has completed.</summary>
    public Ticket IssueAuth() => IssueBarrier();

    /// <summary>
    /// Issues a write or sync that goes alone, as an addauth does: sendable once everything issued
    /// before it has completed, and everything issued after it waits for it (the first write after
    /// a reconnect or a resume, which may restart the replica's xid gate).
    /// </summary>
    public Ticket IssueFence() => IssueBarrier();

    private Ticket IssueBarrier()
    {
        lock (_lock)
        {
            var ready = Both(_ordered.WhenCompletedThrough(_ordered.Issued), _reads.WhenCompletedThrough(_reads.Issued));
            var ticket = new Ticket(_ordered.Issue(), ready);
            _lastAuth = ticket.Seq;
            return ticket;
        }
    }

    /// <summary>Issues a read: sendable once every write, sync and addauth issued before it has completed. Complete it with <see cref="CompleteRead"/>.</summary>
    public Ticket IssueRead()
    {
        lock (_lock)
        {
            var ready = _ordered.WhenCompletedThrough(_ordered.Issued);
            return new Ticket(_reads.Issue(), ready);
        }
    }

    /// <summary>Records that ordered request <paramref name="seq"/> has completed (whether it succeeded or not; once given up, ignored).</summary>
    public void Complete(long seq) => Release(() => _ordered.Complete(seq));

    /// <summary>Records that read <paramref name="seq"/> has completed (whether it succeeded or not; once given up, ignored).</summary>
    public void CompleteRead(long seq) => Release(() => _reads.Complete(seq));

    /// <summary>
    /// Gives up every request issued so far as completed (the connection they went out on is lost
    /// and their callers have been failed): nothing issued later waits for them, and their own
    /// completions, whenever they come, are ignored.
    /// </summary>
    public void GiveUpIssued() => Release(() =>
    {
        var released = _ordered.CompleteAllIssued();
        if (_reads.CompleteAllIssued() is { } reads) (released ??= []).AddRange(reads);
        return released;
    });

    private void Release(Func<List<TaskCompletionSource>?> complete)
    {
        List<TaskCompletionSource>? released;
        lock (_lock)
        {
            released = complete();
        }
        // Outside the lock; the waiters run their continuations asynchronously anyway.
        released?.ForEach(w => w.SetResult());
    }

    private static Task Both(Task a, Task b) =>
        a.IsCompleted ? b : b.IsCompleted ? a : Task.WhenAll(a, b);

    /// <summary>Requests numbered 1, 2, 3, ... and the number through which all have completed (guarded by the owner's lock).</summary>
    private sealed class Frontier
    {
        private readonly SortedSet<long> _completedAhead = [];
        private readonly PriorityQueue<TaskCompletionSource, long> _waiters = new();
        private long _completedThrough;

        public long Issued { get; private set; }

        public long Issue() => ++Issued;

        /// <summary>Marks <paramref name="seq"/> done; returns the waiters now released.</summary>
        public List<TaskCompletionSource>? Complete(long seq)
        {
            if (seq <= _completedThrough) return null; // given up already
            if (seq != _completedThrough + 1)
            {
                _completedAhead.Add(seq);
                return null;
            }
            _completedThrough = seq;
            while (_completedAhead.Remove(_completedThrough + 1)) _completedThrough++;
            return ReleaseWaiters();
        }

        /// <summary>Marks every issued number done; returns the waiters now released.</summary>
        public List<TaskCompletionSource>? CompleteAllIssued()
        {
            _completedThrough = Issued;
            _completedAhead.Clear();
            return ReleaseWaiters();
        }

        private List<TaskCompletionSource>? ReleaseWaiters()
        {
            List<TaskCompletionSource>? released = null;
            while (_waiters.TryPeek(out var waiter, out var target) && target <= _completedThrough)
            {
                _waiters.Dequeue();
                (released ??= []).Add(waiter);
            }
            return released;
        }

        public Task WhenCompletedThrough(long target)
        {
            if (target <= _completedThrough) return Task.CompletedTask;
            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter, target);
            return waiter.Task;
        }
    }
}

/// <summary>A request's number, and when it may be sent (never faults).</summary>
internal readonly record struct Ticket(long Seq, Task Ready);
