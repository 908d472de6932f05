namespace OrleansZk.Client;

/// <summary>
/// FIFO bookkeeping for one client's ordered requests (writes, syncs and addauths), numbered in
/// issue order. The replica applies writes and syncs in xid order by itself, so they go out at
/// once — except behind an addauth, which the replica does not order. A read, and an addauth, go
/// out only once every ordered request issued before them has completed, so they see its effects.
/// Completions arrive in any order; <c>_completedThrough</c> is the number through which all have.
/// Thread-safe.
/// </summary>
internal sealed class RequestOrder
{
    private readonly Lock _lock = new();
    private readonly SortedSet<long> _completedAhead = [];
    private readonly PriorityQueue<TaskCompletionSource, long> _waiters = new();
    private long _issued;
    private long _completedThrough;
    private long _lastAuth;

    /// <summary>Issues a write or sync: it may be sent once every earlier addauth has completed.</summary>
    public Ticket IssueWrite()
    {
        lock (_lock)
        {
            return new Ticket(++_issued, WhenCompletedThrough(_lastAuth));
        }
    }

    /// <summary>Issues an addauth: it may be sent once everything issued before it has completed.</summary>
    public Ticket IssueAuth()
    {
        lock (_lock)
        {
            var ticket = new Ticket(++_issued, WhenCompletedThrough(_issued - 1));
            _lastAuth = ticket.Seq;
            return ticket;
        }
    }

    /// <summary>When a read issued now may be sent: once every ordered request issued so far has completed.</summary>
    public Task WhenIssuedCompleted()
    {
        lock (_lock)
        {
            return WhenCompletedThrough(_issued);
        }
    }

    /// <summary>Records that request <paramref name="seq"/> has completed (whether it succeeded or not).</summary>
    public void Complete(long seq)
    {
        List<TaskCompletionSource>? released = null;
        lock (_lock)
        {
            if (seq != _completedThrough + 1)
            {
                _completedAhead.Add(seq);
                return;
            }
            _completedThrough = seq;
            while (_completedAhead.Remove(_completedThrough + 1)) _completedThrough++;
            while (_waiters.TryPeek(out var waiter, out var target) && target <= _completedThrough)
            {
                _waiters.Dequeue();
                (released ??= []).Add(waiter);
            }
        }
        // Outside the lock; the waiters run their continuations asynchronously anyway.
        released?.ForEach(w => w.SetResult());
    }

    private Task WhenCompletedThrough(long target)
    {
        if (target <= _completedThrough) return Task.CompletedTask;
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters.Enqueue(waiter, target);
        return waiter.Task;
    }
}

/// <summary>An ordered request's number, and when it may be sent (never faults).</summary>
internal readonly record struct Ticket(long Seq, Task Ready);
