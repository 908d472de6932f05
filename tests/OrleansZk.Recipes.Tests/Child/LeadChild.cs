using System.Diagnostics;
using OrleansZk.Recipes.Leader;
using OrleansZk.Recipes.Locks;

namespace OrleansZk.Recipes.Tests.Child;

/// <summary>
/// The child mode <c>lead gateway sessionMs electionPath id</c>: a participant of a leader election
/// (<see cref="ZkLeaderSelector"/> on a session source that opens a new session after an expiry).
/// While it leads it acts every 20 ms, reporting <c>act TOKEN T</c>, where T is the machine's
/// monotonic clock (<see cref="Stopwatch.GetTimestamp"/>, CLOCK_MONOTONIC: one clock for every
/// process) read <em>before</em> it checks that its leadership still holds — so T is a moment at
/// which it was entitled to act, even if the process is frozen between the check and the report.
/// It reports <c>leads TOKEN T</c> and <c>stops TOKEN REASON</c> around each term; on <c>act</c> on
/// stdin it answers <c>stale TOKEN ISLOST</c>: the act of a leader whose write was already on its
/// way (the last term's token, whatever it knows) — what a fenced resource must turn away.
/// </summary>
internal static class LeadChild
{
    private static readonly TimeSpan ActEvery = TimeSpan.FromMilliseconds(20);

    public static async Task<int> MainAsync(string gateway, int sessionMs, string electionPath, string id)
    {
        await using var host = await ChildHost.StartAsync(gateway, sessionMs);
        await using var source = new ZkSessionSource(host.NewClient);
        IZkLease? last = null;
        await using var selector = new ZkLeaderSelector(source, electionPath, id, async (lease, term) =>
        {
            Volatile.Write(ref last, lease);
            host.Say($"leads {lease.Token} {Stopwatch.GetTimestamp()}");
            using var tick = new PeriodicTimer(ActEvery);
            try
            {
                while (await tick.WaitForNextTickAsync(term))
                {
                    var now = Stopwatch.GetTimestamp();
                    if (lease.IsLost || lease.IsSuspended) continue;
                    host.Say($"act {lease.Token} {now}");
                }
            }
            catch (OperationCanceledException)
            {
                // The term ended.
            }
            finally
            {
                host.Say($"stops {lease.Token} {lease.LostReason?.ReplaceLineEndings(" ")}");
            }
        });
        selector.Start();
        host.Say("started");
        await ChildHost.ReadCommandsAsync(line =>
        {
            if (line == "act" && Volatile.Read(ref last) is { } lease) host.Say($"stale {lease.Token} {lease.IsLost}");
            return Task.CompletedTask;
        });
        return 0;
    }
}
