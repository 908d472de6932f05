using OrleansZk.Testing.Linearizability;

namespace OrleansZk.Testing.Tests;

/// <summary>
/// The memo stores each set as the window between its leading all-ones words and its trailing
/// zero words: equal sets must meet, different ones never, even when their hashes collide.
/// </summary>
public sealed class VisitedSetTests
{
    private const ulong Ones = ulong.MaxValue;

    [Fact]
    public void A_configuration_is_new_once()
    {
        var visited = new VisitedSet<int>(EqualityComparer<int>.Default);

        Assert.True(visited.Add([Ones, 0b1011, 0, 0], 17, state: 1));
        Assert.False(visited.Add([Ones, 0b1011, 0, 0], 17, state: 1));
        Assert.True(visited.Add([Ones, 0b1011, 0, 0], 17, state: 2));
        Assert.Equal(2, visited.Count);
    }

    [Theory]
    [InlineData(new[] { Ones, Ones, 0UL, 0UL }, new[] { Ones, 0UL, 0UL, 0UL })]
    [InlineData(new[] { Ones, 5UL, 0UL, 0UL }, new[] { Ones, 5UL, 0UL, 1UL })]
    [InlineData(new[] { Ones, Ones, Ones, Ones }, new[] { Ones, Ones, Ones, Ones - 1 })]
    [InlineData(new[] { 0UL, 0UL, 0UL, 0UL }, new[] { 0UL, 0UL, 0UL, 1UL << 63 })]
    [InlineData(new[] { Ones, 0UL, 5UL, 0UL }, new[] { Ones, 5UL, 0UL, 0UL })]
    public void Different_sets_with_colliding_hashes_stay_apart(ulong[] a, ulong[] b)
    {
        var visited = new VisitedSet<string>(StringComparer.Ordinal);

        Assert.True(visited.Add(a, 42, "s"));
        Assert.True(visited.Add(b, 42, "s"));
        Assert.False(visited.Add(a, 42, "s"));
        Assert.False(visited.Add(b, 42, "s"));
    }

    [Fact]
    public void The_caller_may_change_its_set_after_adding_it()
    {
        var visited = new VisitedSet<int>(EqualityComparer<int>.Default);
        ulong[] set = [Ones, 3, 0];

        Assert.True(visited.Add(set, 1, 0));
        set[1] = 7;

        Assert.True(visited.Add(set, 1, 0));
        Assert.False(visited.Add([Ones, 3, 0], 1, 0));
    }
}
