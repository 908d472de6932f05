namespace OrleansZk.Zab;

/// <summary>
/// A replica's durable transaction log and hard state. The engine reads it once, when a
/// <see cref="ZabPeer"/> is constructed (recovery); afterwards the host writes it while
/// executing each <see cref="Ready"/> (see <see cref="ReadyPersistence.Persist"/>), and the
/// engine keeps its own in-memory view of the same log.
/// <para>Contract (what a file log must guarantee):</para>
/// <list type="bullet">
/// <item>Writes are applied in call order and are visible to reads at once, but are durable
/// only after <see cref="Sync"/> returns. After a crash the log holds every write before the
/// last completed <see cref="Sync"/> and, of later writes, at most a prefix in call order (a torn
/// tail is cut, never reordered).</item>
/// <item>Entries are kept in strictly increasing zxid order; <see cref="Append"/> is only called
/// with zxids greater than <see cref="LastZxid"/>.</item>
/// <item>The host calls <see cref="Sync"/> after the writes of a <see cref="Ready"/> and before
/// sending any of its messages: an ACK, ACKEPOCH or ACKNEWLEADER promises durability.</item>
/// <item>Never called concurrently.</item>
/// </list>
/// </summary>
public interface IZabStorage
{
    /// <summary>The persisted epochs (zero for a new replica).</summary>
    HardState HardState { get; }
    /// <summary>The log holds the entries after this zxid (0 for a never-compacted log).</summary>
    long BaseZxid { get; }
    /// <summary>The last zxid in the log, or <see cref="BaseZxid"/> if it is empty.</summary>
    long LastZxid { get; }
    /// <summary>Entries with <paramref name="afterZxid"/> &lt; zxid &lt;= <paramref name="toZxid"/>, in zxid order.</summary>
    IReadOnlyList<LogEntry> ReadRange(long afterZxid, long toZxid);
    /// <summary>Records new epochs (durable after <see cref="Sync"/>).</summary>
    void SetHardState(HardState state);
    /// <summary>Appends entries whose zxids are greater than <see cref="LastZxid"/>.</summary>
    void Append(IReadOnlyList<LogEntry> txns);
    /// <summary>Removes every entry with zxid greater than <paramref name="zxid"/>.</summary>
    void TruncateAfter(long zxid);
    /// <summary>Discards the whole log; it then starts after <paramref name="baseZxid"/>. Used when
    /// a snapshot is installed: the snapshot must be durable before this write is.</summary>
    void ResetTo(long baseZxid);
    /// <summary>Makes every earlier write durable (fsync).</summary>
    void Sync();
}

/// <summary>
/// The replicated state machine, as far as the engine and its host need it. The engine only
/// calls <see cref="TakeSnapshot"/> (to SNAP a follower); the host calls the rest while
/// executing a <see cref="Ready"/>.
/// </summary>
public interface IZabStateMachine
{
    /// <summary>A snapshot of committed state, to SNAP a follower: any state the host has applied
    /// (with pipelined Readies it may lag the commits handed out; it may also be the newest durable
    /// snapshot rather than the live state). Its zxid must be at least the zxid last passed to
    /// <see cref="ZabPeer.Compact"/>, so that the log holds everything after it.</summary>
    ZabSnapshot TakeSnapshot();
    /// <summary>Replaces the state with a snapshot received from the leader.</summary>
    void Install(ZabSnapshot snapshot);
    /// <summary>Applies one committed txn; txns arrive strictly in zxid order, each once.</summary>
    void Apply(LogEntry txn);
}

/// <summary>One write to the log, in the order the host must perform them.</summary>
public abstract record LogWrite;
/// <summary>Append entries (zxids ascending, above the current last).</summary>
public sealed record AppendWrite(IReadOnlyList<LogEntry> Txns) : LogWrite;
/// <summary>Remove entries after a zxid.</summary>
public sealed record TruncateWrite(long AfterZxid) : LogWrite;
/// <summary>Drop the whole log; it restarts after <see cref="BaseZxid"/> (snapshot installed).</summary>
public sealed record ResetWrite(long BaseZxid) : LogWrite;

/// <summary>Executes the persistence half of a <see cref="Ready"/> against an <see cref="IZabStorage"/>.</summary>
public static class ReadyPersistence
{
    /// <summary>
    /// Applies the log writes in order and fsyncs them, then records the hard state and fsyncs
    /// again. The order matters: a new current epoch durable before the history it stands for
    /// would let a replica with a stale log win elections. The caller must have made
    /// <see cref="Ready.Snapshot"/> durable (installed) before calling this.
    /// Returns false if there was nothing to write.
    /// </summary>
    public static bool Persist(IZabStorage storage, Ready ready)
    {
        if (ready.HardState is null && ready.LogWrites.Count == 0) return false;
        foreach (var w in ready.LogWrites)
        {
            switch (w)
            {
                case AppendWrite a: storage.Append(a.Txns); break;
                case TruncateWrite t: storage.TruncateAfter(t.AfterZxid); break;
                case ResetWrite r: storage.ResetTo(r.BaseZxid); break;
            }
        }
        if (ready.HardState is { } hs)
        {
            if (ready.LogWrites.Count > 0) storage.Sync();
            storage.SetHardState(hs);
        }
        storage.Sync();
        return true;
    }
}
