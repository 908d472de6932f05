namespace OrleansZk.Core;

/// <summary>A set that remembers only its <see cref="Capacity"/> most recently added items (the oldest go first). Not thread-safe.</summary>
public sealed class RecentSet<T>(int capacity)
    where T : notnull
{
    private readonly HashSet<T> _items = [];
    private readonly Queue<T> _order = new();

    public int Capacity { get; } = capacity;

    /// <summary>Adds <paramref name="item"/>, forgetting the oldest if full; false when it was there already.</summary>
    public bool Add(T item)
    {
        if (!_items.Add(item)) return false;
        _order.Enqueue(item);
        if (_order.Count > Capacity) _items.Remove(_order.Dequeue());
        return true;
    }

    public bool Contains(T item) => _items.Contains(item);
}
