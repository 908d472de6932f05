using OrleansZk.Core;

namespace OrleansZk.Core.Tests;

/// <summary>
/// Tests drive the preparer as a leader would, but without an engine: each request takes the next
/// zxid after the last one prepared (in the service the ZAB engine hands out zxids).
/// </summary>
internal static class PreparerExtensions
{
    public static Txn Prepare(this RequestPreparer preparer, WriteRequest request, RequestContext context) =>
        preparer.Prepare(request, context, preparer.LastZxid + 1);
}
