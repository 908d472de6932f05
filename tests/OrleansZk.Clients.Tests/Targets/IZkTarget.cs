namespace OrleansZk.Clients.Tests.Targets;

/// <summary>
/// A service speaking ZooKeeper 3.8's client protocol that the client suite runs against: Apache
/// ZooKeeper itself (<see cref="ZooKeeperTarget"/>) or OrleansZk silos on <c>OrleansZk:ClientPort</c>.
/// Its servers listen on 127.0.0.1. What a target must offer (TTL nodes, a short container and
/// TTL reaping interval, session timeouts from 1 s to 40 s, the four-letter words) is listed in
/// docs/conformance.md, section "The client suite".
/// </summary>
/// <remarks>One caller at a time: the suite's collection fixture owns the target and its tests run one after another.</remarks>
public interface IZkTarget : IAsyncDisposable
{
    /// <summary>What failure messages call it, e.g. "Apache ZooKeeper 3.8 (standalone)".</summary>
    string Name { get; }

    /// <summary>
    /// "127.0.0.1:port" of every server a client may connect to, at least one, valid once
    /// <see cref="StartAsync"/> returned and unchanged by <see cref="RestartAsync"/> and
    /// <see cref="ResetAsync"/>. With two or more, the reconnect tests move a session from the first
    /// server to another one; with one, they reconnect it to the same server.
    /// </summary>
    IReadOnlyList<string> Servers { get; }

    /// <summary>Starts the servers with a new service's state (the tree holds only /zookeeper); returns once every server serves clients.</summary>
    Task StartAsync(CancellationToken ct);

    /// <summary>
    /// Stops every server and starts it again on the same ports with the state it had: the tree,
    /// and the sessions, which clients resume. Returns once every server serves clients.
    /// </summary>
    Task RestartAsync(CancellationToken ct);

    /// <summary>
    /// Discards all state: afterwards the tree is a new service's, no session exists and zxids count
    /// from the first again (the zkCli transcripts show the root's stat and number every zxid).
    /// Returns once every server serves clients.
    /// </summary>
    Task ResetAsync(CancellationToken ct);
}

/// <summary>Owns one target for a test collection: started before its first test, disposed after its last.</summary>
public abstract class TargetFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    /// <summary>The started target.</summary>
    public IZkTarget Target { get; private set; } = null!;

    /// <summary>A new, not yet started, target.</summary>
    protected abstract IZkTarget CreateTarget();

    public async Task InitializeAsync()
    {
        Target = CreateTarget();
        // Installing packages on a fresh machine is the slow part.
        using var deadline = new CancellationTokenSource(StartTimeout);
        await Target.StartAsync(deadline.Token);
    }

    public async Task DisposeAsync() => await Target.DisposeAsync();
}
