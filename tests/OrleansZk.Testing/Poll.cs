namespace OrleansZk.Testing;

/// <summary>How often the tests' deadline-bounded waits look at their condition again.</summary>
public static class Poll
{
    /// <summary>Between two looks at a condition (a process state, a status, a counter).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    /// <summary>Between two attempts at something that failed for a reason that passes (a port still held).</summary>
    public static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(200);
}
