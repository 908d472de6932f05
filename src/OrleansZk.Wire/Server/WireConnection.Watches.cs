using System.Collections.Concurrent;
using OrleansZk.Client;
using OrleansZk.Core;
using OrleansZk.Wire.Protocol;

namespace OrleansZk.Wire.Server;

/// <summary>
/// Watches: every watch-setting request registers its own watcher with the session's client, so
/// that an event names the requests whose watches it fires, and goes out after the latest of their
/// replies (a ZooKeeper client registers a watch when that reply arrives, and drops a notification
/// that comes first) and before every later reply (the SDK completes replies that reflect a change
/// only after handing over its event). One notification per event, as ZooKeeper's server sends one
/// per session however many watches it fires.
/// </summary>
internal sealed partial class WireConnection
{
    private readonly ConcurrentDictionary<Action<WatchedEvent>, Registration> _registrations = new();
    private Action<WatchedEvent>? _restoredWatcher;

    /// <summary>What a watch-setting request registered: kind and path, and the request's place in the output (none for watches set again by setWatches).</summary>
    private sealed record Registration(WatchKind Kind, string Path, ReplySequencer.Slot? Slot)
    {
        public void Fire(WatchedEvent _)
        {
            // Never called: the connection observes events with the watchers they go to (OnEvent).
        }
    }

    private enum WatchKind
    {
        Data,
        Exists,
        Child,
        Persistent,
        Recursive,
        Restored,
    }

    /// <summary>The watcher of the watches setWatches sets again (one for all of them).</summary>
    private Action<WatchedEvent> RestoredWatcher
    {
        get
        {
            if (_restoredWatcher is { } existing) return existing;
            var registration = new Registration(WatchKind.Restored, "", null);
            Action<WatchedEvent> watcher = registration.Fire;
            _registrations[watcher] = registration;
            return _restoredWatcher = watcher;
        }
    }

    /// <summary>Issues a watch-setting request with a fresh watcher of its own; a request that fails sets no watch (exists on a missing node does: <paramref name="keepOnNoNode"/>), and its watcher is forgotten.</summary>
    private Task<WireResponse?> Watched(WatchKind kind, string path, ReplySequencer.Slot slot, Func<Action<WatchedEvent>, Task<WireResponse?>> issue, bool keepOnNoNode = false)
    {
        var registration = new Registration(kind, path, slot);
        Action<WatchedEvent> watcher = registration.Fire;
        _registrations[watcher] = registration;
        return ForgetOnFailure(issue(watcher));

        async Task<WireResponse?> ForgetOnFailure(Task<WireResponse?> call)
        {
            try
            {
                return await call;
            }
            catch (ZkException e) when (!(keepOnNoNode && e.Code == ZkErrorCode.NoNode))
            {
                _registrations.TryRemove(watcher, out _);
                throw;
            }
        }
    }

    /// <summary>The session's event and the watchers it goes to (called by its client's dispatcher, one event at a time).</summary>
    private void OnEvent(WatchedEvent e, IReadOnlyList<Action<WatchedEvent>> watchers)
    {
        var slots = new List<ReplySequencer.Slot>(watchers.Count);
        foreach (var watcher in watchers)
        {
            if (!_registrations.TryGetValue(watcher, out var registration)) continue;
            if (registration.Slot is { } slot) slots.Add(slot);
            // One-shot watches are used up by the event (the client removed them too).
            if (registration.Kind is WatchKind.Data or WatchKind.Exists or WatchKind.Child) _registrations.TryRemove(watcher, out _);
        }
        // Removal notices are the client library's own, and HistoryTrimmed has no ZooKeeper
        // counterpart (a ZooKeeper server replays nothing for a persistent watch set again).
        if (e.Type is WatchEventType.DataWatchRemoved or WatchEventType.ChildWatchRemoved or WatchEventType.PersistentWatchRemoved or WatchEventType.HistoryTrimmed)
            return;
        _sequencer.Notify(WireReply.Notification((int)e.Type, e.Path), slots);
    }

    /// <summary>removeWatches: the session's watches of the type on the path go, at the service too; NoWatcher when it had none.</summary>
    private async Task RemoveAndForgetAsync(string path, WatcherType type)
    {
        await _client!.RemoveAllWatchesAsync(path, type);
        var kinds = type switch
        {
            WatcherType.Children => [WatchKind.Child],
            WatcherType.Data => [WatchKind.Data, WatchKind.Exists],
            WatcherType.Persistent => [WatchKind.Persistent],
            WatcherType.PersistentRecursive => [WatchKind.Recursive],
            _ => new[] { WatchKind.Data, WatchKind.Exists, WatchKind.Child, WatchKind.Persistent, WatchKind.Recursive },
        };
        foreach (var (watcher, registration) in _registrations)
            if (registration.Path == path && kinds.Contains(registration.Kind)) _registrations.TryRemove(watcher, out _);
    }

    /// <summary>How many watches this connection holds, and on which paths (wchs).</summary>
    public (int Watches, IReadOnlyCollection<string> Paths) WatchSummary()
    {
        var live = _registrations.Values.Where(r => r.Kind != WatchKind.Restored).ToList();
        return (live.Count, live.Select(r => r.Path).Distinct().ToList());
    }
}
