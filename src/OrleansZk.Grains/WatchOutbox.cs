namespace OrleansZk.Grains;

/// <summary>
/// One session's watch-event messages on their way to its client's observer (docs/watches.md, "Push
/// delivery"): one call at a time, so they arrive in seq order; messages posted while a call is out
/// wait and leave together as one. Lives in the leader's activation (single-threaded: no locks).
/// Never throws and never blocks the leader: a message that cannot be delivered, or more than
/// <see cref="MaxWaitingEvents"/> waiting behind a slow client, is dropped, which the client sees
/// as a gap in the seqs and answers by re-registering.
/// </summary>
internal sealed class WatchOutbox(IZkWatchObserver observer, Action<Exception?, WatchEvents> dropped)
{
    /// <summary>How many events may wait behind a call that has not been answered before they are dropped.</summary>
    public const int MaxWaitingEvents = 4_096;

    /// <summary>The events of the messages waiting, in order, and the newest of those messages (null: none waits).</summary>
    private List<WatchEvent>? _waitingEvents;
    private WatchEvents? _newestWaiting;
    private bool _sending;
    private bool _retired;

    public IZkWatchObserver Observer { get; } = observer;

    /// <summary>Queues <paramref name="message"/> (the session's next seqs) and sends it now if no call is out.</summary>
    public void Post(WatchEvents message)
    {
        if (_retired) return;
        (_waitingEvents ??= []).AddRange(message.Events);
        _newestWaiting = message;
        if (_waitingEvents.Count > MaxWaitingEvents)
        {
            dropped(null, TakeWaiting()!);
            return;
        }
        if (!_sending)
        {
            _sending = true;
            _ = SendAsync();
        }
    }

    /// <summary>Stops sending (the session ended, or its client handed over another observer); returns what had not left.</summary>
    public WatchEvents? Retire()
    {
        _retired = true;
        return TakeWaiting();
    }

    /// <summary>The waiting messages as one (the newest's session, epoch and through-zxid), or null; none waits after.</summary>
    private WatchEvents? TakeWaiting()
    {
        if (_newestWaiting is not { } newest) return null;
        var events = _waitingEvents!;
        _waitingEvents = null;
        _newestWaiting = null;
        return events.Count == newest.Events.Count ? newest : newest with { Events = events };
    }

    private async Task SendAsync()
    {
        while (!_retired && TakeWaiting() is { } message)
        {
            try
            {
                await Observer.OnWatchEvents(message);
            }
            catch (Exception e)
            {
                dropped(e, message);
            }
        }
        _sending = false;
    }
}
