using OrleansZk.Client;

namespace OrleansZk.Service.Tests;

/// <summary>Every <see cref="ZkClient.ConnectionStateChanged"/> event of one client, in the order raised.</summary>
public sealed class StateLog
{
    private readonly ZkClient _client;
    private readonly ZkClientState _initial;
    private readonly EventLog<ZkConnectionStateChangedEventArgs> _events = new();

    /// <summary>Subscribes now: the log starts from the client's state at this moment.</summary>
    public StateLog(ZkClient client)
    {
        _client = client;
        _initial = client.State;
        client.ConnectionStateChanged += (sender, e) =>
        {
            Assert.Same(client, sender);
            _events.Add(e);
        };
    }

    public IReadOnlyList<ZkConnectionStateChangedEventArgs> Events => _events.Items;

    /// <summary>The states entered, in order.</summary>
    public IReadOnlyList<ZkClientState> States => Events.Select(e => e.State).ToList();

    /// <summary>Waits until every change so far has been raised, then returns the states entered.</summary>
    public async Task<IReadOnlyList<ZkClientState>> SettledStatesAsync()
    {
        await _client.WhenStateEventsRaised().WaitAsync(TimeSpan.FromSeconds(10));
        return States;
    }

    /// <summary>Waits (with a deadline) until the client has entered <paramref name="state"/>, and its event has been raised.</summary>
    public Task WaitForAsync(ZkClientState state, TimeSpan within) => WaitUntilAsync(s => s == state, within, $"no {state} event");

    /// <summary>Waits (with a deadline) until the client has entered a state <paramref name="reached"/> accepts, and its event has been raised.</summary>
    public Task WaitUntilAsync(Func<ZkClientState, bool> reached, TimeSpan within, string missing) =>
        _events.WaitUntilAsync(events => events.Any(e => reached(e.State)), within,
            () => $"{missing}; states so far: {string.Join(", ", States)} (now {_client.State})");

    /// <summary>Each event's previous state is the state of the event before it: none missed, none twice.</summary>
    public void AssertChained()
    {
        var previous = _initial;
        foreach (var e in Events)
        {
            Assert.Equal(previous, e.PreviousState);
            Assert.NotEqual(e.PreviousState, e.State);
            previous = e.State;
        }
    }
}
