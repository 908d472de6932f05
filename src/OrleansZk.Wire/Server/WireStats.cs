namespace OrleansZk.Wire.Server;

/// <summary>
/// Packet counts and request latencies (ZooKeeper's <c>ServerStats</c> and a connection's own), as
/// the four-letter words report them. Thread-safe.
/// </summary>
public sealed class WireStats
{
    private long _received;
    private long _sent;
    private long _latencyCount;
    private long _latencyTotalMs;
    private long _minLatencyMs = long.MaxValue;
    private long _maxLatencyMs;
    private long _lastLatencyMs;

    public long Received => Interlocked.Read(ref _received);

    public long Sent => Interlocked.Read(ref _sent);

    public long MinLatencyMs => Interlocked.Read(ref _latencyCount) == 0 ? 0 : Interlocked.Read(ref _minLatencyMs);

    public long MaxLatencyMs => Interlocked.Read(ref _maxLatencyMs);

    public long LastLatencyMs => Interlocked.Read(ref _lastLatencyMs);

    /// <summary>As ZooKeeper prints it: the mean with one decimal at least (e.g. 0.0, 1.25).</summary>
    public double AvgLatencyMs
    {
        get
        {
            var count = Interlocked.Read(ref _latencyCount);
            return count == 0 ? 0 : Math.Round((double)Interlocked.Read(ref _latencyTotalMs) / count, 4);
        }
    }

    public void OnReceived() => Interlocked.Increment(ref _received);

    /// <summary>Starts the counts and latencies again (srst; a request answered meanwhile may land on either side).</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _received, 0);
        Interlocked.Exchange(ref _sent, 0);
        Interlocked.Exchange(ref _latencyCount, 0);
        Interlocked.Exchange(ref _latencyTotalMs, 0);
        Interlocked.Exchange(ref _minLatencyMs, long.MaxValue);
        Interlocked.Exchange(ref _maxLatencyMs, 0);
        Interlocked.Exchange(ref _lastLatencyMs, 0);
    }

    public void OnSent() => Interlocked.Increment(ref _sent);

    public void OnAnswered(long latencyMs)
    {
        Interlocked.Increment(ref _latencyCount);
        Interlocked.Add(ref _latencyTotalMs, latencyMs);
        Interlocked.Exchange(ref _lastLatencyMs, latencyMs);
        long seen;
        while (latencyMs < (seen = Interlocked.Read(ref _minLatencyMs)) && Interlocked.CompareExchange(ref _minLatencyMs, latencyMs, seen) != seen)
        {
        }
        while (latencyMs > (seen = Interlocked.Read(ref _maxLatencyMs)) && Interlocked.CompareExchange(ref _maxLatencyMs, latencyMs, seen) != seen)
        {
        }
    }
}
