using OrleansZk.Testing.Linearizability;
using static OrleansZk.Testing.Linearizability.ZnodeInput;
using static OrleansZk.Testing.Linearizability.ZnodeOutput;

namespace OrleansZk.Testing.Tests;

/// <summary>
/// With <see cref="CheckOptions.ClientOrder"/>, a request whose outcome is unknown takes effect
/// before its client's later requests or never; without it, any time after it was sent.
/// </summary>
public sealed class ClientOrderTests
{
    private static ZnodeScript LostWriteThenOwnRead(ZnodeOutput ownRead) => new ZnodeScript()
        .Ok(1, 0, 10, Create("a"), Ok)
        .Unknown(2, 20, 25, SetData("u"))
        .Ok(2, 30, 40, GetData(), ownRead)
        .Ok(3, 50, 60, GetData(), Get("u", 1));

    [Fact]
    public void An_unknown_write_may_take_effect_before_its_clients_next_acknowledged_request()
    {
        Checks.Linearizable(LostWriteThenOwnRead(Get("u", 1)).Check(Checks.ClientOrder));
    }

    [Fact]
    public void An_unknown_write_cannot_take_effect_after_its_clients_next_acknowledged_request()
    {
        var h = LostWriteThenOwnRead(Get("a", 0));

        Checks.Linearizable(h.Check());
        var v = Checks.Illegal(h.Check(Checks.ClientOrder));
        Assert.Contains("(never took effect)", v.Explanation);
    }

    [Fact]
    public void A_later_request_of_the_client_settles_its_pipelined_unknown_one_before_it_returns()
    {
        // Client 2 pipelines setData u (lost) and setData x (acknowledged); a read that overlaps
        // the acknowledgement sees u on top of x: u took effect after x, against client order,
        // although still before x's answer arrived.
        var h = new ZnodeScript()
            .Ok(1, 0, 10, Create("a"), Ok)
            .Unknown(2, 20, 25, SetData("u"))
            .Ok(2, 21, 40, SetData("x"), Set(1))
            .Ok(3, 30, 60, GetData(), Get("u", 2));

        Checks.Linearizable(h.Check());
        Checks.Illegal(h.Check(Checks.ClientOrder));
    }

    [Fact]
    public void A_refused_request_settles_nothing()
    {
        var h = new ZnodeScript()
            .Ok(1, 0, 10, Create("a"), Ok)
            .Unknown(2, 20, 25, SetData("u"))
            .Fail(2, 30, 40, Delete(), Refused)
            .Ok(3, 50, 60, GetData(), Get("u", 1));

        Checks.Linearizable(h.Check(Checks.ClientOrder));
    }

    [Fact]
    public void Unknown_requests_of_other_clients_are_not_settled()
    {
        var h = new ZnodeScript()
            .Ok(1, 0, 10, Create("a"), Ok)
            .Unknown(2, 20, 25, SetData("u"))
            .Ok(3, 30, 40, GetData(), Get("a", 0))
            .Ok(3, 50, 60, GetData(), Get("u", 1));

        Checks.Linearizable(h.Check(Checks.ClientOrder));
    }
}
