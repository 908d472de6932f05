namespace OrleansZk.Testing.Linearizability;

/// <summary>How <see cref="LinearizabilityChecker"/> reads a history beyond the model.</summary>
public sealed record CheckOptions
{
    /// <summary>The defaults: unknown outcomes as Porcupine treats them, Stopwatch ticks.</summary>
    public static readonly CheckOptions Default = new();

    /// <summary>
    /// The service applies each client's requests in the order the client sent them, as ZooKeeper
    /// does a session's (FIFO client order; give each session its own client id). Then an
    /// operation with an unknown outcome took effect, if ever, before every later-sent operation
    /// of its client that took effect: before any acknowledged one (<see cref="Outcome.Ok"/>)
    /// returned, and, on its own key, before any acknowledged or unknown one the checker places
    /// after it. Past that it is settled as "never took effect", instead of staying open to the
    /// end of the history. Failed operations settle nothing (a refusal says nothing about what
    /// took effect). This is a promise about the service, not a check of it (operations with
    /// known outcomes are not held to client order), and it keeps histories with many lost
    /// requests on few keys cheap to check: lost requests no longer pile up. Off by default.
    /// </summary>
    public bool ClientOrder { get; init; }

    /// <summary>Timestamp ticks per second, for reports; 0 = the history's own, or <see cref="System.Diagnostics.Stopwatch.Frequency"/>.</summary>
    public long TimestampFrequency { get; init; }
}
