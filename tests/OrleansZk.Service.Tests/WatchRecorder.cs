using OrleansZk.Client;

namespace OrleansZk.Service.Tests;

/// <summary>A watcher that records the events it gets, and waits for them.</summary>
public sealed class WatchRecorder
{
    private readonly EventLog<WatchedEvent> _log = new();

    public WatchRecorder() => Watcher = _log.Add;

    /// <summary>The callback to register (one instance: registering it twice on a path and kind gets one event).</summary>
    public Action<WatchedEvent> Watcher { get; }

    public IReadOnlyList<WatchedEvent> Events => _log.Items;

    /// <summary>"Type path" of each event, in order.</summary>
    public IReadOnlyList<string> Seen => Events.Select(e => $"{e.Type} {e.Path}").ToList();

    public Task WaitForCountAsync(int count, TimeSpan within) =>
        _log.WaitUntilAsync(events => events.Count >= count, within, () => $"{count} events; got: {string.Join(", ", Seen)}");

    public Task WaitForAsync(string seen, TimeSpan within) =>
        WaitForAsync(e => $"{e.Type} {e.Path}" == seen, within, $"\"{seen}\"");

    /// <summary>Waits for an event that <paramref name="match"/> accepts (<paramref name="what"/> names it in the failure).</summary>
    public Task WaitForAsync(Func<WatchedEvent, bool> match, TimeSpan within, string what) =>
        _log.WaitUntilAsync(events => events.Any(match), within, () => $"{what}; got: {string.Join(", ", Seen)}");
}
