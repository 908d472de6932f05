namespace OrleansZk.Core;

/// <summary>
/// The leader's numbering of watch events per session (1, 2, 3, ... within one leadership, which
/// the service calls the event epoch): the partitions report the watches a batch fired, in any
/// order; this puts each session's back in zxid order (a multi's in op order) and numbers them
/// after that session's previous ones. Leader-only state, pure, single-threaded.
/// </summary>
public sealed class EventNumbering
{
    private readonly Dictionary<long, long> _seq = [];

    /// <summary>The last seq given to <paramref name="sessionId"/>'s events (0: none yet).</summary>
    public long SeqOf(long sessionId) => _seq.GetValueOrDefault(sessionId);

    /// <summary>
    /// Numbers one batch's fired watches: per session, in zxid then op order, with seqs following
    /// its earlier ones. Watches of sessions <paramref name="isOpen"/> rejects are dropped and their
    /// ids added to <paramref name="ended"/>. Null when nothing is left.
    /// </summary>
    public Dictionary<long, List<(long Seq, FiredWatch Watch)>>? Number(
        IEnumerable<IReadOnlyList<FiredWatch>?> fired, Func<long, bool> isOpen, ISet<long> ended)
    {
        Dictionary<long, List<FiredWatch>>? bySession = null;
        foreach (var list in fired)
        {
            if (list == null) continue;
            foreach (var f in list)
            {
                if (!isOpen(f.SessionId))
                {
                    ended.Add(f.SessionId);
                    continue;
                }
                bySession ??= [];
                if (!bySession.TryGetValue(f.SessionId, out var mine)) bySession[f.SessionId] = mine = new List<FiredWatch>(2);
                mine.Add(f);
            }
        }
        if (bySession == null) return null;
        var numbered = new Dictionary<long, List<(long, FiredWatch)>>(bySession.Count);
        foreach (var (session, events) in bySession)
        {
            events.Sort(static (a, b) => a.Zxid != b.Zxid ? a.Zxid.CompareTo(b.Zxid) : a.Order.CompareTo(b.Order));
            var seq = _seq.GetValueOrDefault(session);
            var list = new List<(long, FiredWatch)>(events.Count);
            foreach (var e in events) list.Add((++seq, e));
            _seq[session] = seq;
            numbered[session] = list;
        }
        return numbered;
    }

    /// <summary>A session ended: its numbering goes.</summary>
    public void Forget(long sessionId) => _seq.Remove(sessionId);
}
