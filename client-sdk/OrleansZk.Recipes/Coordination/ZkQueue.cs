using System.Runtime.CompilerServices;
using OrleansZk.Client;
using OrleansZk.Core;
using OrleansZk.Recipes.Locks;

namespace OrleansZk.Recipes.Coordination;

/// <summary>
/// A FIFO queue over persistent sequential nodes (Curator's SimpleDistributedQueue): items are
/// <c>{path}/_c_{guid}-qn-{seq}</c> in order of their sequence; a consumer takes the first by
/// reading it and deleting it — the delete is the claim, so two consumers never both take an item.
/// </summary>
/// <remarks>
/// An enqueue whose reply was lost is never duplicated (protected create). A take whose delete
/// reply was lost is settled (sync) and the item counts as taken by this consumer if it is gone —
/// which, in the rare case that another consumer's delete raced it, delivers that item twice
/// (at-least-once there, exactly-once otherwise).
/// </remarks>
public sealed class ZkQueue(ZkSessionSource source, string path)
{
    private const string ItemName = "qn-";
    private readonly ZkSessionSource _source = source ?? throw new ArgumentNullException(nameof(source));

    /// <summary>The queue's node.</summary>
    public string Path { get; } = ZkPaths.Validate(path, "queue path");

    /// <summary>Adds an item at the end.</summary>
    public async Task EnqueueAsync(byte[] item, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        await ProtectedCreate.CreateAsync(_source, ZkPaths.Join(Path, ItemName), item, CreateMode.PersistentSequential, ct: ct).ConfigureAwait(false);
    }

    /// <summary>Takes the first item, or null when the queue is empty.</summary>
    public Task<byte[]?> TryDequeueAsync(CancellationToken ct = default) => TakeAsync(null, ct);

    /// <summary>Takes the first item, waiting for one while the queue is empty.</summary>
    public async Task<byte[]> DequeueAsync(CancellationToken ct = default)
    {
        while (true)
        {
            var wait = new WatchWait();
            if (await TakeAsync(wait.Watcher, ct).ConfigureAwait(false) is { } item) return item;
            await wait.WaitAsync(_source, _source.Client, null, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The items as they come, until <paramref name="ct"/>.</summary>
    public async IAsyncEnumerable<byte[]> ConsumeAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        while (!ct.IsCancellationRequested) yield return await DequeueAsync(ct).ConfigureAwait(false);
    }

    /// <summary>How many items wait now.</summary>
    public Task<int> CountAsync(CancellationToken ct = default) => Retry.UntilDoneAsync(_source, async zk =>
    {
        try
        {
            return (await zk.GetChildrenAsync(Path, ct).ConfigureAwait(false)).Count(c => ZkPaths.SequenceOf(c) >= 0);
        }
        catch (NoNodeException)
        {
            return 0;
        }
    }, ct);

    /// <summary>Takes the first item; when the queue is empty sets <paramref name="watcher"/> (if any) on its children and returns null.</summary>
    private async Task<byte[]?> TakeAsync(Action<WatchedEvent>? watcher, CancellationToken ct)
    {
        while (true)
        {
            var zk = await _source.ConnectedClientAsync(ct).ConfigureAwait(false);
            try
            {
                IReadOnlyList<string> children;
                try
                {
                    children = await zk.GetChildrenAsync(Path, watcher, ct).ConfigureAwait(false);
                }
                catch (NoNodeException)
                {
                    if (watcher == null) return null;
                    await ZkPaths.EnsureAsync(zk, Path, CreateMode.Persistent, ct).ConfigureAwait(false);
                    continue;
                }
                foreach (var name in LockQueue.Sorted(children))
                {
                    if (await TryClaimAsync(zk, ZkPaths.Join(Path, name), ct).ConfigureAwait(false) is { } item) return item;
                }
                if (children.Count == 0) return null;
            }
            catch (ConnectionLossException)
            {
                // Look again once connected.
            }
        }
    }

    /// <summary>Reads an item and deletes it; null when another consumer took it first.</summary>
    private static async Task<byte[]?> TryClaimAsync(ZkClient zk, string item, CancellationToken ct)
    {
        byte[] data;
        try
        {
            data = (await zk.GetDataAsync(item, ct).ConfigureAwait(false)).Data ?? [];
            await zk.DeleteAsync(item, ct: ct).ConfigureAwait(false);
            return data;
        }
        catch (NoNodeException)
        {
            return null;
        }
        catch (ConnectionLossException)
        {
            throw; // The caller settles by looking again; see the remarks for a delete whose reply was lost.
        }
    }
}
