namespace OrleansZk.Core.Tests;

/// <summary>A tree and its preparer, with helpers that prepare and apply one request as one client.</summary>
internal sealed class CoreFixture
{
    public DataTree Tree { get; } = new();
    public RequestPreparer Preparer { get; }
    public long Clock = 1_000_000;
    private int _xid;

    public CoreFixture(PreparerOptions? options = null) => Preparer = new RequestPreparer(Tree, options);

    public RequestContext Ctx(long session = 0, AuthInfo? auth = null) => new(session, ++_xid, Clock += 10, auth ?? AuthInfo.Anonymous);

    public Txn Prepare(WriteRequest r, long session = 0, AuthInfo? auth = null) => Preparer.Prepare(r, Ctx(session, auth));

    public ApplyResult Run(WriteRequest r, long session = 0, AuthInfo? auth = null) => Tree.Apply(Prepare(r, session, auth));

    public long OpenSession()
    {
        var txn = Prepare(new CreateSessionRequest(10_000, [1]));
        Tree.Apply(txn);
        return ((CreateSessionTxn)txn.Body).SessionId;
    }

    public static CreateRequest Create(string path, string? data = "", CreateMode mode = CreateMode.Persistent, long ttl = -1, AclList? acl = null) =>
        new(path, data == null ? null : System.Text.Encoding.UTF8.GetBytes(data), acl ?? AclList.OpenUnsafe, mode, ttl);
}
