using OrleansZk.Clients.Tests.Targets;
using OrleansZk.Testing;

namespace OrleansZk.Clients.Tests.Support;

/// <summary>
/// What a client program of the suite runs against: two <see cref="TcpRelay"/>s in front of the
/// target, a steady one (<c>ZK_SERVERS</c>, a connect string), whose connections no action cuts
/// but a restart, and one whose connections the program may have cut (<c>ZK_RELAY</c>). It
/// answers the programs' action requests:
/// <list type="table">
/// <item><term>cut</term><description>close every connection through the relay (clients reconnect and resume their sessions)</description></item>
/// <item><term>hold</term><description>close them and refuse new ones until <c>release</c> (sessions behind the relay expire if held long enough)</description></item>
/// <item><term>release</term><description>relay new connections again</description></item>
/// <item><term>switch</term><description>close them and relay new ones to the target's next server (the same one when the target has one)</description></item>
/// <item><term>restart</term><description>restart the target with its state (<see cref="IZkTarget.RestartAsync"/>); both relays hold meanwhile</description></item>
/// </list>
/// Clients reach a restarting target only once it serves again: a ZooKeeper server accepts
/// connections before it serves, and a session request sent then goes unanswered until the
/// client's read timeout (seconds), which would make the tests slow, not better.
/// </summary>
public sealed class Harness(IZkTarget target) : IAsyncDisposable
{
    private readonly TcpRelay _steady = TcpRelay.Start(target.Servers);
    private readonly TcpRelay _relay = TcpRelay.Start(target.Servers);

    /// <summary>The environment a client program is given.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["ZK_SERVERS"] = _steady.Address,
        ["ZK_RELAY"] = _relay.Address,
        // UTF-8 in and out, whatever the machine's locale (Java and Python read it).
        ["LC_ALL"] = "C.UTF-8",
        ["PYTHONIOENCODING"] = "utf-8",
    };

    /// <summary>Does what a program asked for; throws for an unknown action.</summary>
    public async Task ActAsync(string action, CancellationToken ct)
    {
        switch (action)
        {
            case "cut":
                _relay.Cut();
                break;
            case "hold":
                _relay.Hold();
                break;
            case "release":
                _relay.Release();
                break;
            case "switch":
                _relay.SwitchServer();
                break;
            case "restart":
                _steady.Hold();
                _relay.Hold();
                await target.RestartAsync(ct);
                _steady.Release();
                _relay.Release();
                break;
            default:
                throw new ArgumentException($"no such action: \"{action}\"", nameof(action));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _relay.DisposeAsync();
        await _steady.DisposeAsync();
    }
}
