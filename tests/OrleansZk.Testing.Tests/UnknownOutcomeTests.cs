using OrleansZk.Testing.Linearizability;
using static OrleansZk.Testing.Linearizability.ZnodeInput;
using static OrleansZk.Testing.Linearizability.ZnodeOutput;

namespace OrleansZk.Testing.Tests;

/// <summary>
/// An operation whose outcome is unknown (ConnectionLoss, a leader killed mid-request) may have
/// taken effect at any point after it was called, or never — but not both, and not before it was
/// called.
/// </summary>
public sealed class UnknownOutcomeTests
{
    private static ZnodeScript WriteThenReads(params ZnodeOutput[] reads)
    {
        var h = new ZnodeScript()
            .Ok(1, 0, 10, Create("a"), Ok)
            .Unknown(2, 20, 30, SetData("b"));
        for (var i = 0; i < reads.Length; i++) h.Ok(3, 40 + 10 * i, 45 + 10 * i, GetData(), reads[i]);
        return h;
    }

    [Fact]
    public void An_unknown_write_may_have_happened()
    {
        Checks.Linearizable(WriteThenReads(Get("b", 1), Get("b", 1)).Check());
    }

    [Fact]
    public void An_unknown_write_may_not_have_happened()
    {
        Checks.Linearizable(WriteThenReads(Get("a", 0), Get("a", 0), Get("a", 0)).Check());
    }

    [Fact]
    public void An_unknown_write_may_happen_after_its_client_gave_up()
    {
        Checks.Linearizable(WriteThenReads(Get("a", 0), Get("b", 1), Get("b", 1)).Check());
    }

    [Fact]
    public void An_unknown_write_cannot_have_happened_and_then_not()
    {
        Checks.Illegal(WriteThenReads(Get("b", 1), Get("a", 0)).Check());
    }

    [Fact]
    public void An_unknown_write_cannot_be_seen_before_it_was_called()
    {
        var h = new ZnodeScript()
            .Ok(1, 0, 10, Create("a"), Ok)
            .Ok(3, 12, 18, GetData(), Get("b", 1))
            .Unknown(2, 20, 30, SetData("b"));

        Checks.Illegal(h.Check());
    }

    [Fact]
    public void A_write_never_completed_counts_as_unknown()
    {
        var h = new ZnodeScript()
            .Ok(1, 0, 10, Create("a"), Ok)
            .Unknown(2, 20, gaveUp: null, SetData("b"))
            .Ok(3, 40, 50, GetData(), Get("a", 0))
            .Ok(3, 60, 70, SetData("c", expectedVersion: 1), Set(2));

        Checks.Linearizable(h.Check());
    }

    [Fact]
    public void Unknown_reads_are_dropped_because_they_constrain_nothing()
    {
        var h = new ZnodeScript()
            .Ok(1, 0, 10, Create("a"), Ok)
            .Unknown(2, 20, 30, GetData())
            .Unknown(2, 20, 30, Exists());

        var result = h.Check();

        Checks.Linearizable(result);
        Assert.Equal(2, result.Dropped);
    }

    [Fact]
    public void Several_unknown_creates_and_deletes_may_interleave_with_what_was_seen()
    {
        var h = new ZnodeScript()
            .Unknown(1, 0, 10, Create("a"))
            .Unknown(2, 5, 15, Delete())
            .Unknown(3, 6, 16, Create("c"))
            .Ok(4, 20, 30, GetData(), Get("a", 0))
            .Ok(4, 40, 50, Exists(), Exists(false))
            .Ok(4, 60, 70, GetData(), Get("c", 0));

        Checks.Linearizable(h.Check());

        var impossible = new ZnodeScript()
            .Unknown(1, 0, 10, Create("a"))
            .Unknown(2, 5, 15, Delete())
            .Ok(4, 20, 30, Exists(), Exists(false))
            .Ok(4, 40, 50, GetData(), Get("a", 0))
            .Ok(4, 60, 70, Exists(), Exists(false))
            .Ok(4, 80, 90, GetData(), Get("a", 0));
        Checks.Illegal(impossible.Check());
    }
}
