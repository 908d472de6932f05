using OrleansZk.Testing.Linearizability;

namespace OrleansZk.Testing.Tests;

/// <summary>A multi's writes are all visible or none, all if acknowledged, none if it failed.</summary>
public sealed class MultiAtomicityTests
{
    private static MultiRecord<ZnodeData?> Multi(int id, Outcome outcome, params string[] keys) =>
        new(id, ClientId: id * 10, outcome, keys.ToDictionary(k => k, _ => (ZnodeData?)$"m{id}"));

    private static Dictionary<string, ZnodeData?> Final(params (string Key, string? Value)[] reads) =>
        reads.ToDictionary(r => r.Key, r => r.Value is null ? (ZnodeData?)null : r.Value);

    [Fact]
    public void Whole_multis_pass()
    {
        var multis = new[]
        {
            Multi(1, Outcome.Ok, "/a", "/b"),
            Multi(2, Outcome.Fail, "/c", "/d"),
            Multi(3, Outcome.Unknown, "/e", "/f"),
            Multi(4, Outcome.Unknown, "/g", "/h"),
        };
        var final = Final(("/a", "m1"), ("/b", "m1"), ("/c", null), ("/d", null), ("/e", "m3"), ("/f", "m3"), ("/g", null), ("/h", "old"));

        Assert.Empty(MultiAtomicity.Check(multis, final));
    }

    [Fact]
    public void A_half_applied_multi_is_reported_with_its_keys()
    {
        var violations = MultiAtomicity.Check([Multi(3, Outcome.Unknown, "/x", "/y", "/z")], Final(("/x", "m3"), ("/y", null), ("/z", "m3")));

        Assert.Equal(["multi 3 (client 30, Unknown) is partly visible: /x, /z show its writes, /y do not"], violations);
    }

    [Fact]
    public void An_acknowledged_multi_that_left_no_trace_is_reported()
    {
        var violations = MultiAtomicity.Check([Multi(1, Outcome.Ok, "/a", "/b")], Final(("/a", null), ("/b", "other")));

        Assert.Equal(["multi 1 (client 10, Ok) was acknowledged, but none of its writes is visible (/a, /b)"], violations);
    }

    [Fact]
    public void A_failed_multi_that_took_effect_is_reported()
    {
        var violations = MultiAtomicity.Check([Multi(2, Outcome.Fail, "/a", "/b")], Final(("/a", "m2"), ("/b", "m2")));

        Assert.Equal(["multi 2 (client 20, Fail) failed, but its writes are visible (/a, /b)"], violations);
    }

    [Fact]
    public void Every_key_written_needs_a_final_value()
    {
        Assert.Throws<ArgumentException>(() => MultiAtomicity.Check([Multi(1, Outcome.Ok, "/a", "/b")], Final(("/a", "m1"))));
    }

    [Fact]
    public void A_multi_recorded_in_a_history_is_checked_per_key_and_as_a_whole()
    {
        var history = new History<ZnodeInput, ZnodeOutput>();
        var multi = history.InvokeMulti(5, [("/m/a", ZnodeInput.Create("m1")), ("/m/b", ZnodeInput.Create("m1"))]);
        multi.Ok([ZnodeOutput.Ok, ZnodeOutput.Ok]);
        var failed = history.InvokeMulti(6, [("/m/a", ZnodeInput.SetData("m2", 3)), ("/m/c", ZnodeInput.Create("m2"))]);
        failed.Fail([ZnodeOutput.BadVersion, ZnodeOutput.Refused]);
        history.Invoke(7, "/m/a", ZnodeInput.GetData()).Ok(ZnodeOutput.Get("m1", 0));
        history.Invoke(7, "/m/b", ZnodeInput.GetData()).Ok(ZnodeOutput.Get("m1", 0));
        history.Invoke(7, "/m/c", ZnodeInput.GetData()).Fail(ZnodeOutput.NoNode);

        Checks.Linearizable(LinearizabilityChecker.Check(new ZnodeModel(), history, Checks.Generous));
        var records = new[]
        {
            new MultiRecord<ZnodeData?>(multi.Parts[0].Id, 5, Outcome.Ok, new Dictionary<string, ZnodeData?> { ["/m/a"] = "m1", ["/m/b"] = "m1" }),
            new MultiRecord<ZnodeData?>(failed.Parts[0].Id, 6, Outcome.Fail, new Dictionary<string, ZnodeData?> { ["/m/a"] = "m2", ["/m/c"] = "m2" }),
        };
        Assert.Empty(MultiAtomicity.Check(records, Final(("/m/a", "m1"), ("/m/b", "m1"), ("/m/c", null))));
    }
}
