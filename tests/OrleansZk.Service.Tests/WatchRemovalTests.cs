using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.Service.Tests;

/// <summary>Removing watches through the SDK: what the watcher is told, and when the call returns.</summary>
public sealed class WatchRemovalTests(ClusterFixture fixture) : ClusterTest(fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Removing_watches_tells_the_watcher_and_a_missing_one_is_NoWatcher()
    {
        var n = P("n");
        await Zk.CreateAsync(n, null);
        var rec = new WatchRecorder();
        await Assert.ThrowsAsync<NoWatcherException>(() => Zk.RemoveWatchesAsync(n, rec.Watcher, WatcherType.Data));
        await Zk.GetDataAsync(n, rec.Watcher);
        await Zk.GetChildrenAsync(n, rec.Watcher);
        await Zk.RemoveWatchesAsync(n, rec.Watcher, WatcherType.Data);
        await Assert.ThrowsAsync<NoWatcherException>(() => Zk.RemoveWatchesAsync(n, rec.Watcher, WatcherType.Data));
        await Zk.SetDataAsync(n, Bytes("x")); // the data watch is gone: no NodeDataChanged
        await Zk.CreateAsync(n + "/c", null); // the child watch stays
        await rec.WaitForCountAsync(2, Deadline);
        Assert.Equal([$"DataWatchRemoved {n}", $"NodeChildrenChanged {n}"], rec.Seen);

        await Zk.AddWatchAsync(n, rec.Watcher, AddWatchMode.PersistentRecursive);
        await Zk.RemoveAllWatchesAsync(n, WatcherType.Any);
        await Zk.SetDataAsync(n + "/c", Bytes("y"));
        await Zk.SyncAsync("/");
        Assert.Equal([$"DataWatchRemoved {n}", $"NodeChildrenChanged {n}", $"PersistentWatchRemoved {n}"], rec.Seen);
        await Assert.ThrowsAsync<NoWatcherException>(() => Zk.RemoveAllWatchesAsync(n, WatcherType.Any));
    }

    [Fact]
    public async Task Removing_watches_returns_after_the_watcher_was_told_and_works_from_inside_a_watcher()
    {
        var n = P("n");
        await Zk.CreateAsync(n, null);
        var watcher = NewClient();
        // A watcher that holds the dispatcher until released: events queued behind it wait.
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();
        await watcher.GetDataAsync(n, _ =>
        {
            entered.TrySetResult();
            release.Wait(Deadline);
        });
        var rec = new WatchRecorder();
        await watcher.GetChildrenAsync(n, rec.Watcher);
        await Zk.SetDataAsync(n, Bytes("x")); // another session's write: fires the data watch
        await entered.Task.WaitAsync(Deadline);

        var removal = watcher.RemoveWatchesAsync(n, rec.Watcher, WatcherType.Children, local: true);
        Assert.False(removal.IsCompleted, "the removal returned before its watcher was told");
        release.Set();
        await removal.WaitAsync(Deadline);
        Assert.Equal([$"ChildWatchRemoved {n}"], rec.Seen);

        // From inside a watcher (on the dispatcher) the removal cannot wait for the dispatcher: it completes.
        var inner = new WatchRecorder();
        await watcher.GetChildrenAsync(n, inner.Watcher);
        var removedInside = new TaskCompletionSource<Task>(TaskCreationOptions.RunContinuationsAsynchronously);
        await watcher.GetDataAsync(n, _ => removedInside.TrySetResult(watcher.RemoveWatchesAsync(n, inner.Watcher, WatcherType.Children, local: true)));
        await Zk.SetDataAsync(n, Bytes("y"));
        await (await removedInside.Task.WaitAsync(Deadline)).WaitAsync(Deadline);
        await inner.WaitForAsync($"ChildWatchRemoved {n}", Deadline);
    }
}
