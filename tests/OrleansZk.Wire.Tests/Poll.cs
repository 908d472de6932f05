namespace OrleansZk.Wire.Tests;

/// <summary>How often tests look again at a condition they wait for (with a deadline).</summary>
internal static class Poll
{
    /// <summary>Between two looks at a condition.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);
}
