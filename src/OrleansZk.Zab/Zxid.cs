namespace OrleansZk.Zab;

/// <summary>
/// A zxid is a transaction id: <c>(epoch &lt;&lt; 32) | counter</c> as a <see cref="long"/>.
/// Zxids order the whole history: first by the epoch of the leader that proposed the txn,
/// then by that leader's counter (which starts at 1 in every epoch). Zxid 0 is "nothing".
/// </summary>
public static class Zxid
{
    /// <summary>Builds a zxid from an epoch and a counter (counter 1 is an epoch's first txn).</summary>
    public static long Make(long epoch, long counter) => (epoch << 32) | (counter & 0xFFFF_FFFFL);

    /// <summary>The epoch (high 32 bits) of a zxid.</summary>
    public static long Epoch(long zxid) => zxid >>> 32;

    /// <summary>The counter (low 32 bits) of a zxid.</summary>
    public static long Counter(long zxid) => zxid & 0xFFFF_FFFFL;

    /// <summary>
    /// The zxid a leader of <paramref name="epoch"/> proposes right after <paramref name="last"/>:
    /// the next counter within the epoch, or counter 1 if <paramref name="last"/> is from an older epoch.
    /// </summary>
    public static long Next(long last, long epoch) =>
        Epoch(last) == epoch ? Make(epoch, Counter(last) + 1) : Make(epoch, 1);

    /// <summary>Readable form <c>epoch:counter</c>, used in traces and scenario scripts.</summary>
    public static string Format(long zxid) => $"{Epoch(zxid)}:{Counter(zxid)}";
}
