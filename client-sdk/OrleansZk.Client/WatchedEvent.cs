using OrleansZk.Core;

namespace OrleansZk.Client;

/// <summary>
/// A watch event, as ZooKeeper's <c>WatchedEvent</c>: what happened (<paramref name="Type"/>) to which
/// node, and the zxid of the transaction that caused it (-1 for the events the client makes itself:
/// <see cref="WatchEventType.DataWatchRemoved"/>, <see cref="WatchEventType.ChildWatchRemoved"/>,
/// <see cref="WatchEventType.PersistentWatchRemoved"/>). <see cref="WatchEventType.HistoryTrimmed"/>
/// (not in ZooKeeper) names the path of a persistent watch that missed changes the service could not
/// replay: re-read what it watches.
/// </summary>
public sealed record WatchedEvent(WatchEventType Type, string Path, long Zxid)
{
    /// <summary>As ZooKeeper prints it, with the zxid.</summary>
    public override string ToString() => $"WatchedEvent type:{Type} path:{Path} zxid:{Zxid}";
}
