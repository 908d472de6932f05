using System.Text;
using OrleansZk.Client;

namespace OrleansZk.Recipes.Tests.Support;

/// <summary>
/// Base of the recipe tests: clients closed when the test ends, and a root node of the test's own
/// so tests sharing the cluster never see each other's nodes.
/// </summary>
[Collection(RecipeCollection.Name)]
public abstract class RecipeTest(RecipeCluster cluster) : IAsyncLifetime
{
    /// <summary>How long any wait in a test may take before it fails.</summary>
    protected static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private readonly List<IAsyncDisposable> _owned = [];

    protected RecipeCluster Cluster { get; } = cluster;

    /// <summary>The test's first client.</summary>
    protected ZkClient Zk { get; private set; } = null!;

    /// <summary>This test's root node.</summary>
    protected string Root { get; } = "/t-" + Guid.NewGuid().ToString("N")[..12];

    public virtual async Task InitializeAsync()
    {
        Zk = NewClient();
        await Zk.CreateAsync(Root, null);
    }

    public async Task DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            try
            {
                await _owned[i].DisposeAsync();
            }
            catch (Exception)
            {
                // Best effort: the cluster outlives the test.
            }
        }
    }

    /// <summary>Another client with its own session, closed when the test ends.</summary>
    protected ZkClient NewClient(int sessionTimeoutMs = 10_000) => Own(Cluster.NewClient(sessionTimeoutMs));

    /// <summary>A session source that renews its session after an expiry, closed when the test ends.</summary>
    protected ZkSessionSource NewSource(int sessionTimeoutMs = 10_000) =>
        Own(new ZkSessionSource(() => Cluster.NewClient(sessionTimeoutMs)));

    /// <summary>Disposes <paramref name="disposable"/> when the test ends (in reverse order of registration).</summary>
    protected T Own<T>(T disposable) where T : IAsyncDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    protected string P(string relative) => Root + "/" + relative;

    protected static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    protected static string Text(byte[]? b) => b == null ? "" : Encoding.UTF8.GetString(b);

    /// <summary>Ends a session from outside, as its expiry would: another client resumes it and closes it.</summary>
    protected async Task EndSessionAsync(ZkClient victim)
    {
        var heir = new ZkClient(Cluster.Client, new ZkClientOptions { SessionId = victim.SessionId, SessionPassword = victim.SessionPassword });
        await heir.ConnectAsync();
        await heir.CloseAsync();
    }
}
