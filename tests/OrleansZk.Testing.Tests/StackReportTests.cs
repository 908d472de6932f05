using System.Runtime.CompilerServices;
using Xunit;

namespace OrleansZk.Testing.Tests;

/// <summary>
/// The stacks a timed-out silo start reports (<see cref="SiloProcess.WaitReadyAsync"/>) are real:
/// taken here from this very process while one of its threads is parked in a method of this test.
/// </summary>
public sealed class StackReportTests
{
    [Fact]
    public async Task The_report_of_a_live_process_shows_what_its_threads_are_doing()
    {
        using var release = new ManualResetEventSlim();
        using var parked = new ManualResetEventSlim();
        var thread = new Thread(() => ParkedForTheReport(parked, release)) { IsBackground = true };
        thread.Start();
        try
        {
            Assert.True(parked.Wait(TimeSpan.FromSeconds(10)), "the thread to report on never started");
            var report = await StackReport.OfAsync(Environment.ProcessId);
            Assert.Contains(nameof(ParkedForTheReport), report);
        }
        finally
        {
            release.Set();
            thread.Join(TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public async Task A_process_that_is_not_there_gets_a_reason_instead_of_stacks()
    {
        var report = await StackReport.OfAsync(int.MaxValue);
        Assert.StartsWith("(no stacks: ", report);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ParkedForTheReport(ManualResetEventSlim parked, ManualResetEventSlim release)
    {
        parked.Set();
        release.Wait();
    }
}
