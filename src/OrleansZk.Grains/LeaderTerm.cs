using OrleansZk.Core;

namespace OrleansZk.Grains;

/// <summary>
/// Everything a replica keeps only while it leads, created when it becomes leader and dropped when
/// it stops (one object, so nothing of it can outlive the leadership): the FIFO gate, the session
/// deadlines, the proven identities, the queue of admitted calls and the proposals in flight, the
/// preparer's pending changes, the event numbering and the observers events are pushed to, and the sync and read barriers
/// waiting for a quorum to confirm the leadership. Its <see cref="Epoch"/> is the leader's ZAB epoch,
/// which also numbers the watch events it pushes.
/// </summary>
internal sealed class LeaderTerm(TimeProvider time, TimeSpan xidGapTimeout)
{
    /// <summary>The leadership's epoch, known once it is established.</summary>
    public long Epoch;

    /// <summary>Serving: established, its history applied, its preparer built. Calls that arrive before wait for it.</summary>
    public bool Active;

    /// <summary>Completes with true once serving, false if the leadership ends before.</summary>
    public readonly TaskCompletionSource<bool> Activated = new();

    public readonly SessionGate<Pending> Gate = new(time, xidGapTimeout);
    public readonly SessionClock Clock = new(time);
    public readonly EventNumbering Numbering = new();
    public readonly Dictionary<long, (AuthInfo Auth, int Version)> Auth = [];

    /// <summary>Admitted calls in order, not yet proposed.</summary>
    public readonly Queue<Pending> Queue = new();

    /// <summary>Proposed writes and markers, in zxid order, until their txn is applied (or their turn comes).</summary>
    public readonly Queue<Pending> InFlight = new();

    public RequestPreparer Preparer = null!;
    public long LastProposed;

    /// <summary>Completes when the latest segment's events are numbered (the next one numbers after it).</summary>
    public Task EventsNumbered = Task.CompletedTask;

    /// <summary>
    /// Takes the next turn at numbering events (segments and catch-ups number one after another, in
    /// the order they take turns): the previous turn, to wait for, and this turn's completion, to set
    /// once this one's events are numbered.
    /// </summary>
    public (Task Previous, TaskCompletionSource Done) NextNumberingTurn()
    {
        var previous = EventsNumbered;
        var done = new TaskCompletionSource();
        EventsNumbered = done.Task;
        return (previous, done);
    }

    /// <summary>The last zxid whose events are numbered.</summary>
    public long NumberedThrough;

    /// <summary>Completes when the latest re-registration barrier is done: deliveries after it wait for it.</summary>
    public Task Barrier = Task.CompletedTask;

    /// <summary>Per session: the observer its client registered under this leader, and the messages on their way to it.</summary>
    public readonly Dictionary<long, WatchOutbox> Outboxes = [];

    /// <summary>Sessions that ended since the partitions were last told.</summary>
    public readonly HashSet<long> EndedSessions = [];

    /// <summary>Partitions activated under this leader; one activated again lost its watch registrations.</summary>
    public readonly HashSet<int> ActivatedPartitions = [];
    public long RegistrationLosses;

    /// <summary>Calls waiting for a leadership check, by its token: told true once confirmed, false if the leadership ends.</summary>
    public readonly SortedDictionary<long, List<Action<bool>>> Checks = [];

    /// <summary>The applied zxid last advertised to the partitions.</summary>
    public long Advertised;

    public bool Scanning;

    /// <summary>
    /// Ends the term: every call it holds fails with <paramref name="reply"/> (ConnectionLoss: a
    /// proposed write may still commit under the next leader), every check is told false.
    /// </summary>
    public void End(WriteReply reply)
    {
        Active = false;
        Activated.TrySetResult(false);
        foreach (var p in Queue.Concat(InFlight).Concat(Gate.AllHeld())) p.Fail(reply);
        Queue.Clear();
        InFlight.Clear();
        foreach (var waiting in Checks.Values)
            foreach (var tell in waiting) tell(false);
        Checks.Clear();
    }

    /// <summary>Tells the calls waiting for checks through <paramref name="token"/> that the leadership is confirmed.</summary>
    public void Confirm(long token)
    {
        while (Checks.Count > 0)
        {
            var (first, waiting) = Checks.First();
            if (first > token) return;
            Checks.Remove(first);
            foreach (var tell in waiting) tell(true);
        }
    }
}
