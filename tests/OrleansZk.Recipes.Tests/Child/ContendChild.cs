using System.Text;
using OrleansZk.Client;
using OrleansZk.Recipes.Locks;

namespace OrleansZk.Recipes.Tests.Child;

/// <summary>
/// One contender of the mutual-exclusion test, in any process: takes the mutex <c>rounds</c> times
/// and, while holding it, does a deliberately non-atomic read-then-write of the counter node
/// (<c>"COUNT LASTTOKEN"</c>, written without a version check), so that two holders at once would
/// lose an increment or see tokens out of order. Each holding is reported to
/// <paramref name="report"/> as <c>held TOKEN PREVTOKEN COUNTBEFORE WATCHEVENTS</c>: the watch
/// events this contender's queue received while waiting for that holding.
/// </summary>
public static class ContendChild
{
    /// <summary>The counter node's first content.</summary>
    public const string Initial = "0 0";

    public static async Task RunAsync(ZkClient zk, string lockPath, string counterPath, int rounds, Action<string> report)
    {
        var mutex = new ZkMutex(zk, lockPath);
        for (var i = 0; i < rounds; i++)
        {
            var eventsBefore = Volatile.Read(ref mutex.Queue.WatchEvents);
            await using var held = await mutex.AcquireAsync();
            var events = Volatile.Read(ref mutex.Queue.WatchEvents) - eventsBefore;
            var (data, _) = await zk.GetDataAsync(counterPath);
            var parts = Encoding.UTF8.GetString(data!).Split(' ');
            var (count, lastToken) = (int.Parse(parts[0]), long.Parse(parts[1]));
            await zk.SetDataAsync(counterPath, Encoding.UTF8.GetBytes($"{count + 1} {held.Token}"));
            report($"held {held.Token} {lastToken} {count} {events}");
        }
    }

    /// <summary>
    /// The child mode <c>contend gateway sessionMs lockPath counterPath rounds clients</c>: opens
    /// <c>clients</c> sessions, says <c>ready</c>, waits for <c>go</c> on stdin, runs a contender
    /// per session, then says <c>done</c> (or <c>failed MESSAGE</c>).
    /// </summary>
    internal static async Task<int> MainAsync(string gateway, int sessionMs, string lockPath, string counterPath, int rounds, int clients)
    {
        await using var host = await ChildHost.StartAsync(gateway, sessionMs);
        var sessions = Enumerable.Range(0, clients).Select(_ => host.NewClient()).ToList();
        foreach (var zk in sessions) await zk.ConnectAsync();
        host.Say("ready");
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = ChildHost.ReadCommandsAsync(line =>
        {
            if (line == "go") go.TrySetResult();
            return Task.CompletedTask;
        });
        await go.Task;
        try
        {
            await Task.WhenAll(sessions.Select(zk => RunAsync(zk, lockPath, counterPath, rounds, host.Say)));
            host.Say("done");
        }
        catch (Exception e)
        {
            host.Say("failed " + e.GetType().Name + ": " + e.Message.ReplaceLineEndings(" "));
        }
        foreach (var zk in sessions) await zk.CloseAsync();
        return 0;
    }
}
