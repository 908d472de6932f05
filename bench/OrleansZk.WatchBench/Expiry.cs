using System.Diagnostics;
using System.Globalization;
using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.WatchBench;

internal sealed partial class WatchBench
{
    /// <summary>One abandoned session: its child process, and what the benchmark saw of it.</summary>
    private sealed class Abandoned(Process process, string path)
    {
        public Process Process { get; } = process;
        public string Path { get; } = path;
        public int TimeoutMs { get; set; }
        public long ReadyTicks { get; set; }
        public long StoppedTicks { get; set; }
        public long DeletedTicks;
    }

    /// <summary>
    /// <see cref="WatchBenchOptions.ExpirySessions"/> sessions with timeout
    /// <see cref="WatchBenchOptions.TimeoutMs"/>, each in a child process (<see cref="ExpiryChild"/>)
    /// started and connected up front. One after another, at random spacings of 200–500 ms (so
    /// their deadlines fall at different phases of the service's expiry check): the child creates
    /// its ephemeral node and calls SyncAsync (both touch the session at the replica), prints
    /// "ready", and is SIGSTOPped; then an observer session sets an exists watch on the node. The
    /// sample is the NodeDeleted event's time − the stop time − the granted timeout. The stop time is
    /// the child's timestamp right after its last reply (printed with "ready"), as WatchBench.java's:
    /// the SIGSTOP follows within a millisecond (the heartbeat timer could fire in between, with a
    /// chance of about 1 ms in a third of the timeout).
    /// </summary>
    private async Task<Result> ExpiryAsync(string parent, int run)
    {
        var o = options;
        var random = new Random((int)o.Seed + run);
        var sessions = new List<Abandoned>();
        var deleted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var remaining = o.ExpirySessions;
        await using var observer = await ConnectAsync(SessionTimeoutMs);
        try
        {
            for (var i = 0; i < o.ExpirySessions; i++)
                sessions.Add(new Abandoned(ExpiryChild.Start(o.Server, o.TimeoutMs, $"{parent}/ephemeral-{run}-{i}"), $"{parent}/ephemeral-{run}-{i}"));
            foreach (var s in sessions)
                s.TimeoutMs = int.Parse((await ExpectLineAsync(s, "connected"))[2], CultureInfo.InvariantCulture);
            for (var i = 0; i < sessions.Count; i++)
            {
                var s = sessions[i];
                await s.Process.StandardInput.WriteLineAsync("go");
                await s.Process.StandardInput.FlushAsync();
                s.ReadyTicks = long.Parse((await ExpectLineAsync(s, "ready"))[1], CultureInfo.InvariantCulture);
                Signals.Stop(s.Process.Id);
                s.StoppedTicks = Stopwatch.GetTimestamp();
                var stat = await observer.ExistsAsync(s.Path, e =>
                {
                    if (e.Type != WatchEventType.NodeDeleted) return;
                    Interlocked.CompareExchange(ref s.DeletedTicks, Stopwatch.GetTimestamp(), 0);
                    if (Interlocked.Decrement(ref remaining) == 0) deleted.TrySetResult();
                });
                if (stat is not { EphemeralOwner: not 0 })
                    throw new InvalidOperationException($"{s.Path} is not an ephemeral node");
                if (i + 1 < sessions.Count) await Task.Delay(200 + random.Next(301));
            }
            var wait = TimeSpan.FromMilliseconds(o.TimeoutMs + 3L * o.TickMs) + TimeSpan.FromSeconds(60);
            try
            {
                await deleted.Task.WaitAsync(wait);
            }
            catch (TimeoutException)
            {
                throw new InvalidOperationException($"sessions expired: {sessions.Count(s => Interlocked.Read(ref s.DeletedTicks) != 0)} of {sessions.Count} within the timeout + 3 ticks + 60 s");
            }
            var samples = new double[sessions.Count];
            for (var i = 0; i < samples.Length; i++)
            {
                var s = sessions[i];
                samples[i] = Ms(s.DeletedTicks - s.ReadyTicks) - s.TimeoutMs;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"INFO expiry session={i} timeout_ms={s.TimeoutMs} late_ms={samples[i]:F1} late_from_sigstop_ms={Ms(s.DeletedTicks - s.StoppedTicks) - s.TimeoutMs:F1} ready_to_stopped_ms={Ms(s.StoppedTicks - s.ReadyTicks):F2}"));
            }
            return new Result("expiry", $"t{o.TimeoutMs}-tick{o.TickMs}", sessions.Count, samples);
        }
        finally
        {
            foreach (var s in sessions)
            {
                try
                {
                    s.Process.Kill();
                    await s.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                }
                catch (Exception e) when (e is InvalidOperationException or TimeoutException)
                {
                    // Already gone, or will be.
                }
                s.Process.Dispose();
            }
        }
    }

    private static async Task<string[]> ExpectLineAsync(Abandoned s, string word)
    {
        var line = await s.Process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(120));
        if (line == null || !line.StartsWith(word + " ", StringComparison.Ordinal))
            throw new InvalidOperationException($"child for {s.Path} said '{line}' instead of '{word} ...'");
        return line.Split(' ');
    }
}
