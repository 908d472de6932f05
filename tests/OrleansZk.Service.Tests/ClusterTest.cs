using System.Text;
using OrleansZk.Client;

namespace OrleansZk.Service.Tests;

/// <summary>
/// Base of the cluster tests: a client per test (closed afterwards) and a root node of the test's
/// own, so tests sharing the cluster never see each other's nodes.
/// </summary>
[Collection(ClusterCollection.Name)]
public abstract class ClusterTest(ClusterFixture fixture) : IAsyncLifetime
{
    private readonly List<ZkClient> _clients = [];

    protected ClusterFixture Fixture { get; } = fixture;

    /// <summary>This test's client.</summary>
    protected ZkClient Zk { get; private set; } = null!;

    /// <summary>This test's root node (created in <see cref="InitializeAsync"/>).</summary>
    protected string Root { get; } = "/t-" + Guid.NewGuid().ToString("N")[..12];

    public virtual async Task InitializeAsync()
    {
        Zk = NewClient();
        await Zk.CreateAsync(Root, null);
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients) await client.DisposeAsync();
    }

    /// <summary>Another client with a session of its own, closed when the test ends.</summary>
    protected ZkClient NewClient(ZkClientOptions? options = null)
    {
        var client = Fixture.NewClient(options);
        _clients.Add(client);
        return client;
    }

    /// <summary>Closes <paramref name="client"/> when the test ends.</summary>
    protected ZkClient Track(ZkClient client)
    {
        _clients.Add(client);
        return client;
    }

    protected string P(string relative) => Root + "/" + relative;

    protected static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    protected static string Text(byte[]? b) => b == null ? "<null>" : Encoding.UTF8.GetString(b);

    /// <summary>Polls <paramref name="condition"/> until it holds, failing after <paramref name="within"/> (never a bare sleep).</summary>
    protected static async Task Eventually(Func<Task<bool>> condition, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out after {within.TotalSeconds:0.#} s waiting for {what}");
            await Task.Delay(PollInterval);
        }
    }

    /// <summary>How often <see cref="Eventually"/> looks again.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);
}
