namespace OrleansZk.Zab;

/// <summary>
/// What a host does with a Ready once its persistence is done. <see cref="ZabDriver"/> calls these
/// in Ready order, one Ready after another, on the host's thread; never concurrently.
/// </summary>
public interface IZabHost
{
    /// <summary>Loads a snapshot received from the leader (SNAP) into the state machine. The
    /// persistence job has already made it durable.</summary>
    void Install(ZabSnapshot snapshot);

    /// <summary>Sends messages (any order; the transport may drop, delay, duplicate or reorder them).</summary>
    void Send(IReadOnlyList<ZabMessage> messages);

    /// <summary>Applies newly committed txns, strictly in zxid order, each once.</summary>
    void Apply(IReadOnlyList<LogEntry> committed);

    /// <summary>Leadership checks with tokens up to <paramref name="token"/> are confirmed
    /// (<see cref="ZabPeer.RequestLeadershipCheck"/>); called after the applies of the same Ready.</summary>
    void Confirmed(long token);
}

/// <summary>
/// One Ready's persistence. The host makes <see cref="Ready.Snapshot"/> durable first, then the log
/// writes and the hard state exactly as <see cref="ReadyPersistence.Persist"/> orders them — all
/// after every earlier job's — and then hands the job back to <see cref="ZabDriver.Persisted"/>.
/// Jobs may be merged into one fsync as long as each is reported only once it is durable.
/// </summary>
public sealed class PersistJob
{
    internal PersistJob(long seq, Ready ready)
    {
        Seq = seq;
        Ready = ready;
    }

    /// <summary>1, 2, 3, ... in the order the jobs must be persisted and reported.</summary>
    public long Seq { get; }

    /// <summary>The Ready whose writes are to be made durable (its messages and commits are the driver's).</summary>
    public Ready Ready { get; }

    /// <summary>False when there is nothing to write: the job only waits for the ones before it.</summary>
    public bool HasWrites => Ready.Snapshot is not null || Ready.LogWrites.Count > 0 || Ready.HardState is not null;
}

/// <summary>
/// The one host loop for a <see cref="ZabPeer"/> (etcd raft's asynchronous storage writes): the
/// host keeps feeding the peer (<see cref="ZabPeer.Step"/>, <see cref="ZabPeer.Tick"/>,
/// <see cref="ZabPeer.Propose(Func{long, byte[]})"/>), takes persistence jobs with <see cref="Next"/>
/// and hands each back to <see cref="Persisted"/> once durable, in order. Only then are the job's
/// messages sent and its commits applied (through <see cref="IZabHost"/>), so "durable before
/// send" holds for every Ready while batch k+1 is prepared and written during batch k's fsync —
/// except the leader's proposals, which leave when the job is taken (<see cref="Ready.Proposals"/>).
/// A synchronous host simply calls <see cref="Persisted"/> right after persisting what
/// <see cref="Next"/> gave it. Not thread-safe: the host's thread only.
/// </summary>
public sealed class ZabDriver
{
    readonly IZabHost host;
    readonly Queue<PersistJob> inFlight = new();
    readonly int maxInFlight;
    int writing;
    long seq;

    /// <summary>
    /// Drives <paramref name="peer"/>; at most <paramref name="maxInFlight"/> jobs that write are
    /// persisting at once (jobs with nothing to write only wait for the ones before them, and do not count).
    /// </summary>
    /// <remarks>
    /// The limit sets the batch size under load: while the limit is reached, what the peer is given
    /// (proposals, acks, commits) gathers into one Ready, taken when a slot frees. Two is the
    /// pipeline of the issue's throughput shape — batch k+1 written while batch k is fsync'd — and
    /// the fewest, largest batches that keep the disk busy; more gives smaller batches, each with
    /// its own messages, applies and deliveries, for no more throughput.
    /// </remarks>
    public ZabDriver(ZabPeer peer, IZabHost host, int maxInFlight = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        Peer = peer;
        this.host = host;
        this.maxInFlight = maxInFlight;
    }

    /// <summary>The engine (feed it directly; never call its Ready/Advance yourself).</summary>
    public ZabPeer Peer { get; }

    /// <summary>Jobs handed out by <see cref="Next"/> and not yet reported persisted.</summary>
    public int InFlight => inFlight.Count;

    /// <summary>
    /// The next job to persist, or null when the peer has no work or too many jobs that write are in
    /// flight. Its <see cref="Ready.Proposals"/> are sent (<see cref="IZabHost.Send"/>) before this returns.
    /// </summary>
    public PersistJob? Next()
    {
        if (writing >= maxInFlight || !Peer.HasReady) return null;
        var job = new PersistJob(++seq, Peer.Ready());
        inFlight.Enqueue(job);
        if (job.HasWrites) writing++;
        if (job.Ready.Proposals.Count > 0) host.Send(job.Ready.Proposals); // they need not wait for the fsync
        return job;
    }

    /// <summary>
    /// Reports that <paramref name="job"/>, the oldest in flight, is durable: installs its snapshot,
    /// sends its messages, applies its commits, reports its confirmations, and advances the peer.
    /// </summary>
    public void Persisted(PersistJob job)
    {
        if (!inFlight.TryPeek(out var head) || !ReferenceEquals(head, job))
            throw new InvalidOperationException($"job {job.Seq} reported out of order (oldest in flight: {(head is null ? "none" : head.Seq)})");
        inFlight.Dequeue();
        if (job.HasWrites) writing--;
        var ready = job.Ready;
        if (ready.Snapshot is { } snapshot) host.Install(snapshot);
        if (ready.Messages.Count > 0) host.Send(ready.Messages);
        if (ready.Committed.Count > 0) host.Apply(ready.Committed);
        if (ready.LeadershipConfirmed > 0) host.Confirmed(ready.LeadershipConfirmed);
        Peer.Advance();
    }

    /// <summary>
    /// For synchronous hosts: persists and completes every job now, through <paramref name="storage"/>
    /// (<paramref name="saveSnapshot"/> makes a SNAP snapshot durable first).
    /// </summary>
    public void RunSynchronously(IZabStorage storage, Action<ZabSnapshot>? saveSnapshot = null)
    {
        while (Next() is { } job)
        {
            if (job.Ready.Snapshot is { } snapshot) saveSnapshot?.Invoke(snapshot);
            ReadyPersistence.Persist(storage, job.Ready);
            Persisted(job);
        }
    }
}
