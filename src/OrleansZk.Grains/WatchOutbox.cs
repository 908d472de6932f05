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

    private WatchEvents? _waiting;
    private bool _sending;
    private bool _retired;

    public IZkWatchObserver Observer { get; } = observer;

    /// <summary>Queues <paramref name="message"/> (the session's next seqs) and sends it now if no call is out.</summary>
    public void Post(WatchEvents message)
    {
        if (_retired) return;
        _waiting = _waiting is not { } w
            ? message
            : new WatchEvents(message.SessionId, message.Epoch, [.. w.Events, .. message.Events], message.ThroughZxid);
        if (_waiting.Events.Count > MaxWaitingEvents)
        {
            var gone = _waiting;
            _waiting = null;
            dropped(null, gone);
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
        var waiting = _waiting;
        _waiting = null;
        return waiting;
    }

    private async Task SendAsync()
    {
        while (!_retired && _waiting is { } message)
        {
            _waiting = null;
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
