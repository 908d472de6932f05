using OrleansZk.Zab.Tests.Interaction;

namespace OrleansZk.Zab.Tests;

/// <summary>
/// Scenario scripts in <c>testdata/</c>, read as stories (etcd raft's interaction tests).
/// Regenerate the expected output with <c>ZAB_REWRITE=1 dotnet test --filter ScenarioTests</c>.
/// </summary>
public class ScenarioTests
{
    public static TheoryData<string> Files() =>
        new(Directory.GetFiles(DataDriven.TestDataDir(), "*.txt").Select(Path.GetFileName).Order()!);

    [Theory]
    [MemberData(nameof(Files))]
    public void Script(string file)
    {
        var env = new InteractionEnv();
        var failures = DataDriven.Run(Path.Combine(DataDriven.TestDataDir(), file), env.Handle);
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    [Fact]
    public void All_five_stories_exist()
    {
        var files = Directory.GetFiles(DataDriven.TestDataDir(), "*.txt").Select(Path.GetFileName).ToHashSet();
        foreach (var f in new[] { "election_stale_replica.txt", "leader_crash_mid_proposal.txt", "trunc_uncommitted_tail.txt", "snap_far_behind.txt", "partitioned_old_leader.txt" })
            Assert.Contains(f, files);
    }
}
