using OrleansZk.Core;

namespace OrleansZk.Client;

/// <summary>
/// A multi built op by op (ZooKeeper's Transaction): <c>client.Transaction().Create(...).SetData(...).CommitAsync()</c>.
/// Not thread-safe; nothing is sent before <see cref="CommitAsync"/>.
/// </summary>
public sealed class ZkTransaction
{
    private readonly ZkClient _client;
    private readonly List<WriteRequest> _ops = [];

    internal ZkTransaction(ZkClient client) => _client = client;

    /// <summary>Adds a create (as <see cref="ZkClient.CreateAsync"/>; null ACL = world:anyone all).</summary>
    public ZkTransaction Create(string path, byte[]? data, IReadOnlyList<Acl>? acl = null, CreateMode mode = CreateMode.Persistent, long ttl = -1)
    {
        _ops.Add(new CreateRequest(path, data, acl ?? AclList.OpenUnsafe, mode, ttl));
        return this;
    }

    /// <summary>Adds a delete (-1 = any version).</summary>
    public ZkTransaction Delete(string path, int version = -1)
    {
        _ops.Add(new DeleteRequest(path, version));
        return this;
    }

    /// <summary>Adds a setData (-1 = any version).</summary>
    public ZkTransaction SetData(string path, byte[]? data, int version = -1)
    {
        _ops.Add(new SetDataRequest(path, data, version));
        return this;
    }

    /// <summary>Adds a check that the node exists with <paramref name="version"/> (-1 = any).</summary>
    public ZkTransaction Check(string path, int version)
    {
        _ops.Add(new CheckRequest(path, version));
        return this;
    }

    /// <summary>Sends the ops as one multi (see <see cref="ZkClient.MultiAsync"/>).</summary>
    public Task<IReadOnlyList<OpResult>> CommitAsync(CancellationToken ct = default) => _client.MultiAsync(_ops.ToArray(), ct);
}
