using System.Buffers.Binary;
using OrleansZk.Core;

namespace OrleansZk.Bench;

/// <summary>The order in which a benchmark visits existing znodes.</summary>
public enum Order
{
    Random,
    Creation,
}

/// <summary>Shared set-up: trees with an open session, requests with unique paths and 32-byte data.</summary>
internal static class Fixture
{
    /// <summary>Operations per measured invocation (and per iteration for the [IterationSetup] benchmarks).</summary>
    public const int Batch = 100_000;

    /// <summary>The parent every benchmark node lives under.</summary>
    public const string Parent = "/p";

    /// <summary>A fixed transaction time (preparation copies it; nothing reads a clock).</summary>
    public const long TimeMs = 1_767_225_600_000;

    /// <summary>world:anyone with all permissions — what most clients pass (ZooDefs.Ids.OPEN_ACL_UNSAFE).</summary>
    public static readonly IReadOnlyList<Acl> WorldAcl = [Acl.OpenUnsafe];

    public static byte[] Data32(int seed)
    {
        var b = new byte[32];
        BinaryPrimitives.WriteInt32LittleEndian(b, seed);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(28), ~seed);
        return b;
    }

    /// <summary>"/p/n0000042": unique child paths of one parent.</summary>
    public static string ChildPath(string parent, int i) => $"{parent}/n{i:D7}";

    /// <summary>A copy of a string: a request deserialized from the wire never shares the tree's key instance.</summary>
    public static string Copy(string s) => new(s.AsSpan());

    public static CreateRequest Create(string path, int seed) => new(path, Data32(seed), WorldAcl, CreateMode.Persistent);

    public static CreateRequest[] CreateRequests(string parent, int count)
    {
        var requests = new CreateRequest[count];
        for (var i = 0; i < count; i++) requests[i] = Create(ChildPath(parent, i), i);
        return requests;
    }

    /// <summary>
    /// A new tree with one open client session (created through prepare + apply, as the service
    /// does) and the given persistent parents; the returned context is that session's, anonymous.
    /// </summary>
    public static (DataTree Tree, RequestPreparer Preparer, RequestContext Context) NewTree(params string[] parents)
    {
        var tree = new DataTree();
        var preparer = new RequestPreparer(tree);
        var service = new RequestContext(0, 0, TimeMs, AuthInfo.Anonymous);
        var sessionTxn = preparer.Prepare(new CreateSessionRequest(30_000, new byte[16]), service);
        Expect(tree.Apply(sessionTxn));
        var session = ((CreateSessionTxn)sessionTxn.Body).SessionId;
        var context = new RequestContext(session, 1, TimeMs, AuthInfo.Anonymous);
        foreach (var parent in parents) Expect(tree.Apply(preparer.Prepare(Create(parent, 0), context)));
        return (tree, preparer, context);
    }

    /// <summary>A tree as <see cref="NewTree"/> plus <paramref name="count"/> children of <see cref="Parent"/>; returns their paths.</summary>
    public static (DataTree Tree, RequestContext Context, string[] Paths) TreeWithChildren(int count)
    {
        var (tree, preparer, context) = NewTree(Parent);
        var paths = new string[count];
        for (var i = 0; i < count; i++)
        {
            paths[i] = ChildPath(Parent, i);
            Expect(tree.Apply(preparer.Prepare(Create(paths[i], i), context)));
        }
        return (tree, context, paths);
    }

    /// <summary>
    /// The paths, each a fresh string instance, in a fixed pseudo-random order (the default: a
    /// server's requests hit nodes all over the tree) or in creation order (memory-friendly).
    /// </summary>
    public static string[] Copies(string[] paths, Order order = Order.Random)
    {
        var copies = paths.Select(Copy).ToArray();
        if (order == Order.Random) new Random(12345).Shuffle(copies);
        return copies;
    }

    public static void Expect(ApplyResult result)
    {
        if (result.Code != ZkErrorCode.Ok) throw new InvalidOperationException($"apply failed: {result.Code}");
    }

    /// <summary>Throws unless the txn is a <typeparamref name="T"/> (not an ErrorTxn): a benchmark must never measure the failure path.</summary>
    public static void Expect<T>(Txn txn) where T : TxnBody
    {
        if (txn.Body is not T) throw new InvalidOperationException($"expected a {typeof(T).Name}, prepared {txn.Body}");
    }
}

/// <summary>The benchmarks drive the preparer without an engine: each request takes the next zxid.</summary>
internal static class PreparerExtensions
{
    public static Txn Prepare(this RequestPreparer preparer, WriteRequest request, RequestContext context) =>
        preparer.Prepare(request, context, preparer.LastZxid + 1);
}
