using System.Diagnostics;
using OrleansZk.Recipes.Leader;
using OrleansZk.Recipes.Locks;
using OrleansZk.Recipes.Tests.Support;
using Xunit.Abstractions;

namespace OrleansZk.Recipes.Tests;

/// <summary>
/// Leader election across processes (<see cref="Child.LeadChild"/>): three participants; the
/// leader is SIGKILLed, then the next one is SIGSTOPped beyond its session timeout and resumed.
/// Each time a new leader comes within the session timeout (plus the slack below), two leaders
/// never act at once (by the machine's monotonic clock, which every process shares), and the
/// resumed leader's act is turned away by the fenced resource.
/// </summary>
public sealed class ProcessLeaderTests(RecipeCluster cluster, ITestOutputHelper output) : RecipeTest(cluster)
{
    private const int SessionMs = 2_000;

    /// <summary>
    /// A session ends a session timeout after the service last heard from it, which is at most the
    /// timeout after the kill or pause; the expiry scan, the watch to the next participant and its
    /// confirmation come on top (up to 0.7 s in the runs so far on this machine: the test prints
    /// what it measured). The slack covers those, and starved processes, on a shared two-core machine
    /// running other test suites at once.
    /// </summary>
    private static readonly TimeSpan Takeover = TimeSpan.FromMilliseconds(SessionMs) + TimeSpan.FromSeconds(4);

    private static readonly TimeSpan ChildStart = TimeSpan.FromSeconds(60);

    private sealed record Line(string Who, string Kind, long Token, string Rest)
    {
        public static Line Parse(string text)
        {
            var f = text.Split(' ', 4);
            return new Line(f[0], f[1], f.Length > 2 && long.TryParse(f[2], out var t) ? t : 0, f.Length > 3 ? f[3] : "");
        }

        public long Timestamp => long.Parse(Rest);
    }

    [Fact]
    public async Task Leaders_killed_or_paused_are_followed_within_the_session_timeout_and_two_never_act_at_once()
    {
        var path = P("election");
        var log = new EventLog<string>(); // "WHO leads|act|stops|stale TOKEN ...", in arrival order
        var agents = new[] { "p1", "p2", "p3" }
            .ToDictionary(n => n, n => ChildAgent.StartInto(log, n, "lead", Cluster.GatewayConnectString, $"{SessionMs}", path, n));
        try
        {
            foreach (var a in agents.Values) await a.WaitForAsync("started", ChildStart);
            await Waits.Until(async () => (await ZkElection.GetParticipantsAsync(Zk, path)).Count == 3, ChildStart, "three participants");
            var first = await NextLeaderAsync(log, []);
            await ActsAsync(log, first, 3);

            // SIGKILL: the next participant leads once the dead one's session has expired.
            var killed = Stopwatch.GetTimestamp();
            agents[first.Who].Kill();
            var second = await NextLeaderAsync(log, [first.Token]);
            var afterKill = Stopwatch.GetElapsedTime(killed, second.Timestamp);
            await ActsAsync(log, second, 3);

            // SIGSTOP beyond the session timeout: the third leads while the second is frozen.
            var stopped = Stopwatch.GetTimestamp();
            agents[second.Who].Stop();
            var third = await NextLeaderAsync(log, [first.Token, second.Token]);
            var afterPause = Stopwatch.GetElapsedTime(stopped, third.Timestamp);
            await ActsAsync(log, third, 3);

            // SIGCONT: the old leader learns at once that its term is over; an act of its that was on
            // its way is turned away; it queues again on a new session.
            agents[second.Who].Continue();
            await log.WaitUntilAsync(l => l.Any(x => x.StartsWith($"{second.Who} stops {second.Token}", StringComparison.Ordinal)), Deadline, () => Describe(log));
            agents[second.Who].Send("act");
            Assert.Equal($"{second.Token} True", await agents[second.Who].WaitForAsync("stale", Deadline));
            await Waits.Until(async () => (await ZkElection.GetParticipantsAsync(Zk, path)).Select(p => p.Id).SequenceEqual([third.Who, second.Who]),
                Deadline, "the resumed participant to queue again behind the new leader");
            await ActsAsync(log, third, 6);

            output.WriteLine($"new leader {afterKill.TotalMilliseconds:0} ms after the kill, {afterPause.TotalMilliseconds:0} ms after the pause (session timeout {SessionMs} ms)");
            Assert.True(first.Token < second.Token && second.Token < third.Token, $"leader tokens {first.Token}, {second.Token}, {third.Token}");
            Assert.True(afterKill <= Takeover, $"a new leader {afterKill.TotalMilliseconds:0} ms after the kill");
            Assert.True(afterPause <= Takeover, $"a new leader {afterPause.TotalMilliseconds:0} ms after the pause");
        }
        finally
        {
            foreach (var a in agents.Values) a.Dispose();
        }

        var lines = log.Items.Select(Line.Parse).ToList();
        // Never two leaders acting at once: every act was stamped, before its leader checked that it
        // still led, with the shared monotonic clock; in that order the tokens never go back.
        var acts = lines.Where(l => l.Kind == "act").OrderBy(l => l.Timestamp).ToList();
        var backwards = acts.Zip(acts.Skip(1)).Where(p => p.Second.Token < p.First.Token).ToList();
        Assert.True(backwards.Count == 0, "acts of an older leader after a newer one's: " + string.Join("; ", backwards.Take(5)));

        // The store, fed every act in the order it arrived, turns away the resumed leader's act
        // (and only acts of that frozen term, the one whose process was paused mid-term).
        var store = new FencedResource();
        var rejected = lines.Where(l => l.Kind is "act" or "stale").Where(l => !store.TryAdmit(l.Token)).ToList();
        Assert.Contains(rejected, l => l.Kind == "stale");
        var frozenToken = lines.Single(l => l.Kind == "stale").Token;
        Assert.All(rejected, l => Assert.Equal(frozenToken, l.Token));
    }

    private static string Describe(EventLog<string> log) => string.Join(" | ", log.Items.Where(l => !l.Contains(" act ", StringComparison.Ordinal)).TakeLast(30));

    /// <summary>The next "leads" line whose token is not in <paramref name="before"/>.</summary>
    private static async Task<Line> NextLeaderAsync(EventLog<string> log, long[] before)
    {
        Line? Find(IEnumerable<string> items) => items.Select(Line.Parse).FirstOrDefault(l => l.Kind == "leads" && !before.Contains(l.Token));
        await log.WaitUntilAsync(l => Find(l) != null, TimeSpan.FromMilliseconds(SessionMs) + Deadline, () => "a new leader: " + Describe(log));
        return Find(log.Items)!;
    }

    private static Task ActsAsync(EventLog<string> log, Line leader, int count) =>
        log.WaitUntilAsync(l => l.Count(x => x.StartsWith($"{leader.Who} act {leader.Token} ", StringComparison.Ordinal)) >= count, Deadline,
            () => $"{count} acts of {leader.Who}: " + Describe(log));
}
