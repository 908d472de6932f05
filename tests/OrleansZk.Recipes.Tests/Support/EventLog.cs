namespace OrleansZk.Recipes.Tests.Support;

/// <summary>Items added from any thread, in order, and waits (with deadlines) that wake on each addition instead of polling.</summary>
public sealed class EventLog<T>
{
    private readonly List<T> _items = [];

    /// <summary>Completed (and replaced) at every addition.</summary>
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Add(T item)
    {
        TaskCompletionSource changed;
        lock (_items)
        {
            _items.Add(item);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.SetResult();
    }

    public IReadOnlyList<T> Items
    {
        get
        {
            lock (_items) return [.. _items];
        }
    }

    /// <summary>Waits until <paramref name="done"/> holds for the items, failing with <paramref name="describe"/>'s text after <paramref name="within"/>.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<T>, bool> done, TimeSpan within, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            Task changed;
            lock (_items)
            {
                if (done(_items)) return;
                changed = _changed.Task;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || await Task.WhenAny(changed, Task.Delay(left)) != changed)
            {
                lock (_items)
                    if (done(_items)) return;
                Assert.Fail($"timed out after {within.TotalSeconds:0.#} s: {describe()}");
            }
        }
    }
}
