using OrleansZk.Zab.Tests.Interaction;

namespace OrleansZk.Zab.Tests;

/// <summary>
/// Scenario scripts in <c>testdata/</c>, read as stories (etcd raft's interaction tests).
/// Regenerate the expected output with <c>ZAB_REWRITE=1 dotnet test --filter ScenarioTests</c>.
/// </summary>
public class ScenarioTests
{
    /// <summary>The stories the engine must keep telling; each is named here, so that one deleted or
    /// renamed fails its <see cref="Script"/> run instead of silently dropping out of the list.</summary>
    static readonly string[] Stories =
    [
        "election_stale_replica.txt", "leader_crash_mid_proposal.txt", "trunc_uncommitted_tail.txt",
        "snap_far_behind.txt", "partitioned_old_leader.txt",
    ];

    /// <summary>The named stories, and any other script in <c>testdata/</c>.</summary>
    public static TheoryData<string> Files() =>
        new(Stories.Union(Directory.GetFiles(DataDriven.TestDataDir(), "*.txt").Select(f => Path.GetFileName(f)!)).Order());

    [Theory]
    [MemberData(nameof(Files))]
    public void Script(string file)
    {
        var path = Path.Combine(DataDriven.TestDataDir(), file);
        Assert.True(File.Exists(path), $"the story {file} is missing from {DataDriven.TestDataDir()}");
        Assert.NotEmpty(DataDriven.Parse(File.ReadAllLines(path))); // an emptied story would pass unread
        var env = new InteractionEnv();
        var failures = DataDriven.Run(path, env.Handle);
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }
}
