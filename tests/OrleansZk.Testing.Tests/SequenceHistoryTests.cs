using OrleansZk.Testing.Linearizability;
using static OrleansZk.Testing.Linearizability.SequenceInput;
using static OrleansZk.Testing.Linearizability.SequenceOutput;

namespace OrleansZk.Testing.Tests;

/// <summary>Sequential creates under one parent: numbers handed out once each, in order, with no gaps a reader can see.</summary>
public sealed class SequenceHistoryTests
{
    [Fact]
    public void Concurrent_creates_may_get_their_numbers_in_any_order_they_overlap_in()
    {
        var h = new SequenceScript()
            .Ok(1, 0, 100, Create, Created(2))
            .Ok(2, 10, 50, Create, Created(0))
            .Ok(3, 20, 60, Create, Created(1))
            .Ok(4, 30, 40, GetChildren, Listed([0]))
            .Ok(4, 110, 120, GetChildren, Listed([2, 0, 1]));

        Checks.Linearizable(h.Check());
    }

    [Fact]
    public void A_duplicated_sequence_number_is_rejected()
    {
        var h = new SequenceScript()
            .Ok(1, 0, 100, Create, Created(0))
            .Ok(2, 10, 90, Create, Created(0));

        Checks.Illegal(h.Check());
    }

    [Fact]
    public void A_skipped_number_no_unknown_create_can_account_for_is_rejected()
    {
        var h = new SequenceScript()
            .Ok(1, 0, 10, Create, Created(0))
            .Ok(1, 20, 30, Create, Created(2));

        Checks.Illegal(h.Check());
    }

    [Fact]
    public void A_gap_seen_by_a_read_is_rejected()
    {
        var h = new SequenceScript()
            .Ok(1, 0, 10, Create, Created(0))
            .Ok(1, 20, 30, Create, Created(1))
            .Ok(2, 40, 50, GetChildren, Listed([0, 1, 3]));

        Checks.Illegal(h.Check());
    }

    [Fact]
    public void An_unknown_create_that_a_later_number_proves_happened_must_be_visible()
    {
        // Client 2's create lost its connection, but client 3 got number 2, so number 1 was taken:
        // by client 2's create, which must then be listed.
        SequenceScript Run(int[] listed) => new SequenceScript()
            .Ok(1, 0, 10, Create, Created(0))
            .Unknown(2, 20, 30, Create)
            .Ok(3, 40, 50, Create, Created(2))
            .Ok(4, 60, 70, GetChildren, Listed(listed));

        Checks.Linearizable(Run([0, 1, 2]).Check());
        Checks.Illegal(Run([0, 2]).Check());
    }

    [Fact]
    public void An_unknown_create_may_take_effect_long_after_its_client_gave_up()
    {
        var h = new SequenceScript()
            .Ok(1, 0, 10, Create, Created(0))
            .Unknown(2, 20, 30, Create)
            .Ok(3, 40, 50, GetChildren, Listed([0]))
            .Ok(3, 60, 70, Create, Created(2))
            .Ok(3, 80, 90, GetChildren, Listed([0, 1, 2]));

        Checks.Linearizable(h.Check());
    }

    [Fact]
    public void A_refused_create_took_no_number()
    {
        var h = new SequenceScript()
            .Ok(1, 0, 10, Create, Created(0))
            .Fail(2, 20, 30, Create, Refused)
            .Ok(1, 40, 50, Create, Created(1));

        Checks.Linearizable(h.Check());
    }

    [Theory]
    [InlineData("/q/job-0000000042", 42)]
    [InlineData("lock-0000000000", 0)]
    public void The_number_is_read_from_the_name_suffix(string name, int number) =>
        Assert.Equal(number, SequenceModel.NumberOf(name));

    [Fact]
    public void A_name_without_a_ten_digit_suffix_has_no_number() =>
        Assert.Throws<FormatException>(() => SequenceModel.NumberOf("/q/job-42"));
}
