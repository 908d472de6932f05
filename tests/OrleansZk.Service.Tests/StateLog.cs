using OrleansZk.Client;

namespace OrleansZk.Service.Tests;

/// <summary>Every <see cref="ZkClient.ConnectionStateChanged"/> event of one client, in the order raised.</summary>
public sealed class StateLog
{
    private readonly ZkClient _client;
    private readonly ZkClientState _initial;
    private readonly List<ZkConnectionStateChangedEventArgs> _events = [];

    /// <summary>Completed (and replaced) at every event, so waiters wake on a change instead of polling.</summary>
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Subscribes now: the log starts from the client's state at this moment.</summary>
    public StateLog(ZkClient client)
    {
        _client = client;
        _initial = client.State;
        client.ConnectionStateChanged += (sender, e) =>
        {
            Assert.Same(client, sender);
            TaskCompletionSource changed;
            lock (_events)
            {
                _events.Add(e);
                changed = _changed;
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            changed.SetResult();
        };
    }

    public IReadOnlyList<ZkConnectionStateChangedEventArgs> Events
    {
        get
        {
            lock (_events) return [.. _events];
        }
    }

    /// <summary>The states entered, in order.</summary>
    public IReadOnlyList<ZkClientState> States => Events.Select(e => e.State).ToList();

    /// <summary>Waits until every change so far has been raised, then returns the states entered.</summary>
    public async Task<IReadOnlyList<ZkClientState>> SettledStatesAsync()
    {
        await _client.WhenStateEventsRaised().WaitAsync(TimeSpan.FromSeconds(10));
        return States;
    }

    /// <summary>Waits (with a deadline) until the client has entered <paramref name="state"/>, and its event has been raised.</summary>
    public async Task WaitForAsync(ZkClientState state, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            Task changed;
            lock (_events)
            {
                if (_events.Any(e => e.State == state)) return;
                changed = _changed.Task;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || await Task.WhenAny(changed, Task.Delay(left)) != changed)
                Assert.Fail($"no {state} event within {within.TotalSeconds:0.#} s; states so far: {string.Join(", ", States)} (now {_client.State})");
        }
    }

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
