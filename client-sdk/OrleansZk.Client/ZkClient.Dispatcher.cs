namespace OrleansZk.Client;

/// <summary>
/// The dispatcher (docs/watches.md): one loop that calls the watchers one event at a time, in order,
/// and marks progress for the replies held behind their events; removals wait for it.
/// </summary>
public sealed partial class ZkClient
{
    /// <summary>
    /// One step for the dispatcher: an event for its watchers, or (Event null) progress through a
    /// zxid, or (<paramref name="Reached"/>) a mark completed when the dispatcher gets to it.
    /// </summary>
    private readonly record struct Dispatch(WatchedEvent? Event, List<Action<WatchedEvent>>? Watchers, long Through, TaskCompletionSource? Reached = null);

    /// <summary>True in the dispatcher's calls to watchers (and what they start): they must not wait for the dispatcher.</summary>
    private static readonly AsyncLocal<bool> OnDispatcher = new();

    /// <summary>
    /// Completes once the dispatcher has called the watchers of every event queued before this call
    /// (at once on the dispatcher itself, before it was started, or once it has stopped).
    /// </summary>
    private Task DispatchedAsync()
    {
        if (OnDispatcher.Value || Volatile.Read(ref _dispatcher) is null) return Task.CompletedTask;
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _dispatch.Writer.TryWrite(new Dispatch(null, null, 0, reached)) ? reached.Task : Task.CompletedTask;
    }

    /// <summary>The dispatcher: calls watchers one at a time, in order; marks progress for the replies waiting on it.</summary>
    private async Task DispatchAsync()
    {
        await foreach (var d in _dispatch.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (d.Reached is { } reached)
            {
                reached.TrySetResult();
                continue;
            }
            if (d.Event != null)
            {
                OnDispatcher.Value = true;
                try
                {
                    Call(d.Event, d.Watchers!);
                }
                finally
                {
                    OnDispatcher.Value = false;
                }
                continue;
            }
            lock (_watchLock)
            {
                if (d.Through <= _dispatchedThrough) continue;
                _dispatchedThrough = d.Through;
                for (var i = _throughWaiters.Count - 1; i >= 0; i--)
                {
                    if (_throughWaiters[i].Zxid > _dispatchedThrough) continue;
                    _throughWaiters[i].Done.TrySetResult();
                    _throughWaiters.RemoveAt(i);
                }
            }
        }
    }

    private void Call(WatchedEvent e, List<Action<WatchedEvent>> watchers)
    {
        if (EventObserver is { } observer)
        {
            try
            {
                observer(e, watchers);
            }
            catch (Exception)
            {
                // The observer's failure is its own.
            }
            return;
        }
        foreach (var watcher in watchers)
        {
            try
            {
                watcher(e);
            }
            catch (Exception)
            {
                // A watcher's failure is its own.
            }
        }
    }
}
