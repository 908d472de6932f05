using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.Cli.Commands;

/// <summary>
/// The shell's session: a connected <see cref="ZkClient"/>, the server it was opened against, the
/// shell's watcher, and whether the service refused an <c>addauth</c>.
/// </summary>
/// <remarks>
/// ZooKeeper answers a refused addauth by dropping the connection: zkCli's addauth prints nothing,
/// the request it sends next fails with "KeeperErrorCode = AuthFailed for PATH" (it was already on
/// its way), and every command after that prints "Not connected". The connection reproduces this,
/// closing the session at once (ZooKeeper would leave it to expire).
/// </remarks>
internal sealed class Connection(ZkClient client, string host, Action<WatchedEvent> watcher)
{
    private bool _authRefused;
    private bool _authFailureReported;

    public ZkClient Client { get; } = client;

    /// <summary>The connect string it was opened with (shown in the prompt, reused by a bare <c>connect</c>).</summary>
    public string Host { get; } = host;

    /// <summary>The watcher of every watch the shell sets (zkCli's default watcher): the same instance for every call.</summary>
    public Action<WatchedEvent> Watcher { get; } = watcher;

    /// <summary>Whether commands may use it (zkCli's <c>zk.getState().isAlive()</c>).</summary>
    public bool IsAlive => _authRefused ? !_authFailureReported : Client.State != ZkClientState.Closed;

    /// <summary>The state as zkCli's prompt names it (ZooKeeper.States).</summary>
    public string StateName =>
        _authRefused ? (_authFailureReported ? "AUTH_FAILED" : "CONNECTED")
        : Client.State switch
        {
            ZkClientState.Connected or ZkClientState.Reconnected or ZkClientState.AuthFailed => "CONNECTED",
            ZkClientState.NotConnected or ZkClientState.Suspended => "CONNECTING",
            _ => "CLOSED",
        };

    /// <summary>Runs one request; a ZooKeeper failure becomes a <see cref="KeeperError"/> naming <paramref name="path"/>.</summary>
    public async Task<T> Call<T>(string? path, Func<ZkClient, Task<T>> request)
    {
        if (_authRefused)
        {
            _authFailureReported = true;
            throw new KeeperError(ZkErrorCode.AuthFailed, path);
        }
        try
        {
            return await request(Client);
        }
        catch (ZkException e)
        {
            throw new KeeperError(e.Code, path);
        }
    }

    public Task Call(string? path, Func<ZkClient, Task> request) =>
        Call(path, async c =>
        {
            await request(c);
            return true;
        });

    /// <summary>The service refused an addauth: the session ends, and the next request reports it.</summary>
    public async Task RefuseAuthAsync()
    {
        _authRefused = true;
        await CloseAsync();
    }

    /// <summary>Closes the session (its ephemerals go at once); a failure to reach the service leaves it to expire.</summary>
    public async Task CloseAsync() => await Client.DisposeAsync();
}
