using System.Runtime.CompilerServices;
using OrleansZk.Core;

namespace OrleansZk.Client;

/// <summary>
/// getChildren by pages (beyond ZooKeeper), for parents whose full child list is too large for one
/// reply (ZooKeeper's getChildren of a parent with millions of children fails against
/// jute.maxbuffer). A page is served by the parent's partition, as getChildren is, from child names
/// it keeps sorted: O(log n + page) whatever the number of children.
/// </summary>
/// <remarks>
/// <para>Order and continuation: names come in ordinal order (UTF-16 code units, as Java's
/// <c>String.compareTo</c> — byte order for ASCII names); a page holds the first
/// <c>pageSize</c> names strictly after <c>after</c>, and its <see cref="ChildrenPage.Continuation"/>
/// is its last name when more follow (null on the last page). Because the continuation is a name, not
/// a position, pages stay correct while children come and go: a walk sees every child that exists for
/// the whole walk exactly once, in order, and never a name twice; a child created or deleted during the
/// walk appears if the page that covers its place was read while it existed.</para>
/// <para>Each page is a separate read, consistent on its own (the parent's stat is as of that page)
/// and never older than what this client has seen (monotonic reads), or linearizable with
/// <see cref="ReadConsistency.Linearizable"/>. A walk is not a snapshot.</para>
/// </remarks>
public sealed partial class ZkClient
{
    /// <summary>The default page size of <see cref="EnumerateChildrenAsync"/>.</summary>
    public const int DefaultChildrenPageSize = 1000;

    /// <summary>One page of the node's children: up to <paramref name="pageSize"/> names after <paramref name="after"/> (null: from the first), in ordinal order.</summary>
    /// <param name="path">The parent.</param>
    /// <param name="pageSize">1 to <see cref="GetChildrenPageRequest.MaxPageSize"/> names.</param>
    /// <param name="after">The previous page's <see cref="ChildrenPage.Continuation"/>, or any name to start after; null for the first page.</param>
    /// <param name="ct">Stops waiting.</param>
    /// <exception cref="BadArgumentsException">An invalid path, a page size out of range, or an empty or '/'-holding <paramref name="after"/> (nothing is sent).</exception>
    /// <exception cref="NoNodeException">The node does not exist.</exception>
    /// <exception cref="NoAuthException">No READ permission.</exception>
    public Task<ChildrenPage> GetChildrenPageAsync(string path, int pageSize, string? after = null, CancellationToken ct = default) =>
        GetChildrenPageAsync(path, pageSize, after, ReadConsistency.Default, ct);

    /// <summary>One page of the node's children, read with the given <paramref name="consistency"/>; as <see cref="GetChildrenPageAsync(string, int, string?, CancellationToken)"/>.</summary>
    public async Task<ChildrenPage> GetChildrenPageAsync(string path, int pageSize, string? after, ReadConsistency consistency, CancellationToken ct = default)
    {
        var request = new GetChildrenPageRequest(path, pageSize, after);
        var reply = await ReadAsync(ReadKind.GetChildrenPage, path, request, ct, consistency: consistency).ConfigureAwait(false);
        return Page(reply);
    }

    /// <summary>
    /// One page of the node's children, setting a one-shot child watch (NodeChildrenChanged or
    /// NodeDeleted) that <paramref name="watcher"/> gets — on any child of the node, not only this
    /// page's; as <see cref="GetChildrenPageAsync(string, int, string?, CancellationToken)"/>.
    /// </summary>
    /// <exception cref="NoNodeException">The node does not exist (no watch is set).</exception>
    public async Task<ChildrenPage> GetChildrenPageAsync(string path, int pageSize, string? after, Action<WatchedEvent>? watcher, CancellationToken ct = default)
    {
        if (watcher == null) return await GetChildrenPageAsync(path, pageSize, after, ct).ConfigureAwait(false);
        var request = new GetChildrenPageRequest(path, pageSize, after);
        ZkFailures.Validate(request);
        var reply = await ReadAsync(ReadKind.GetChildrenPage, path, request, ct, watch: true, after: EnsureWatchingAsync(ct)).ConfigureAwait(false);
        Register(WatchKind.Child, path, watcher, reply.Zxid);
        return Page(reply);
    }

    /// <summary>
    /// Every child name of the node in ordinal order, read page by page (<paramref name="pageSize"/>
    /// names a read) as the enumeration goes; see the class remarks for what a walk sees while
    /// children change. Throws as <see cref="GetChildrenPageAsync(string, int, string?, CancellationToken)"/>
    /// (NoNode also when the node is deleted during the walk).
    /// </summary>
    public async IAsyncEnumerable<string> EnumerateChildrenAsync(string path, int pageSize = DefaultChildrenPageSize,
        ReadConsistency consistency = ReadConsistency.Default, [EnumeratorCancellation] CancellationToken ct = default)
    {
        string? after = null;
        do
        {
            var page = await GetChildrenPageAsync(path, pageSize, after, consistency, ct).ConfigureAwait(false);
            foreach (var name in page.Children) yield return name;
            after = page.Continuation;
        }
        while (after != null);
    }

    private static ChildrenPage Page(ReadReply reply) => new(reply.Children ?? [], reply.Stat ?? default, reply.Continuation);
}
