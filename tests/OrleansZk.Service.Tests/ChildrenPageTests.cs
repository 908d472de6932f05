using System.Diagnostics;
using System.Text;
using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.Service.Tests;

/// <summary>
/// getChildren by pages through the SDK: order and continuation, walks while another client creates
/// and deletes, bad arguments (in the client and in the service), NoNode, ACLs, the child watch, and a
/// parent whose full child list is larger than ZooKeeper's jute.maxbuffer.
/// </summary>
public sealed class ChildrenPageTests(ClusterFixture fixture) : ClusterTest(fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Pages_come_in_ordinal_order_with_the_last_name_as_continuation()
    {
        var parent = P("p");
        await Zk.CreateAsync(parent, null);
        string[] names = ["b", "a-1", "a0", "Z", "é", "a", "c", "d"];
        foreach (var n in names) await Zk.CreateAsync(parent + "/" + n, null);

        var first = await Zk.GetChildrenPageAsync(parent, 3);
        Assert.Equal(["Z", "a", "a-1"], first.Children);
        Assert.Equal("a-1", first.Continuation);
        Assert.Equal(names.Length, first.Stat.NumChildren);
        Assert.Equal((await Zk.ExistsAsync(parent))!.Value, first.Stat);
        var second = await Zk.GetChildrenPageAsync(parent, 3, first.Continuation);
        Assert.Equal(["a0", "b", "c"], second.Children);
        var last = await Zk.GetChildrenPageAsync(parent, 3, second.Continuation);
        Assert.Equal(["d", "é"], last.Children);
        Assert.Null(last.Continuation);

        var walked = new List<string>();
        await foreach (var n in Zk.EnumerateChildrenAsync(parent, pageSize: 2)) walked.Add(n);
        Assert.Equal((await Zk.GetChildrenAsync(parent)).Order(StringComparer.Ordinal), walked);
        Assert.Equal(walked, (await Zk.GetChildrenPageAsync(parent, 100, null, ReadConsistency.Linearizable)).Children);
    }

    [Fact]
    public async Task A_page_shows_the_client_s_own_writes_and_after_a_sync_another_client_s()
    {
        var parent = P("mono");
        await Zk.CreateAsync(parent, null);
        var other = NewClient();
        for (var i = 0; i < 20; i++)
        {
            await other.CreateAsync($"{parent}/n{i:D2}", null);
            // The other client's write is seen by a page read after a sync (monotonic reads alone do not promise that).
            await Zk.SyncAsync(parent);
            var page = await Zk.GetChildrenPageAsync(parent, 1, i == 0 ? null : $"n{i - 1:D2}");
            Assert.Equal([$"n{i:D2}"], page.Children);
            // The writer itself sees its own write without a sync.
            Assert.Contains($"n{i:D2}", (await other.GetChildrenPageAsync(parent, 100)).Children);
        }
    }

    [Fact]
    public async Task A_walk_while_another_client_creates_and_deletes_sees_each_lasting_child_once_in_order()
    {
        var parent = P("busy");
        await Zk.CreateAsync(parent, null);
        var lasting = Enumerable.Range(0, 600).Select(i => $"keep-{i * 7 % 600:D4}").ToList();
        var doomed = Enumerable.Range(0, 300).Select(i => $"gone-{i:D4}").ToList();
        foreach (var names in new[] { lasting, doomed }) // two multis: each under the fixture's 64 KiB request limit
            await Zk.MultiAsync(names.Select(n => (WriteRequest)new CreateRequest(parent + "/" + n, null, AclList.OpenUnsafe, CreateMode.Persistent)));

        var writer = NewClient();
        using var stop = new CancellationTokenSource();
        var created = 0;
        var churn = Task.Run(async () =>
        {
            // Deletes ahead of and behind the walk, and creates of names that sort everywhere.
            for (var i = 0; !stop.IsCancellationRequested && i < doomed.Count; i++)
            {
                await writer.DeleteAsync(parent + "/" + doomed[i]);
                await writer.CreateAsync($"{parent}/new-{i:D4}", null);
                await writer.CreateAsync($"{parent}/a-new-{i:D4}", null);
                Interlocked.Increment(ref created);
            }
        });

        var seen = new List<string>();
        var pages = 0;
        string? after = null;
        do
        {
            // Let the writer get going before the walk and between pages, so the two interleave.
            await Eventually(() => Task.FromResult(Volatile.Read(ref created) > pages * 4 || churn.IsCompleted), Deadline, "the writer to make progress");
            var page = await Zk.GetChildrenPageAsync(parent, 25, after);
            seen.AddRange(page.Children);
            after = page.Continuation;
            pages++;
        }
        while (after != null);
        await stop.CancelAsync();
        await churn;

        Assert.True(pages >= 30, $"only {pages} pages");
        for (var i = 1; i < seen.Count; i++)
            Assert.True(string.CompareOrdinal(seen[i - 1], seen[i]) < 0, $"{seen[i - 1]} then {seen[i]}: not strictly increasing");
        var seenSet = seen.ToHashSet(StringComparer.Ordinal);
        Assert.All(lasting, n => Assert.Contains(n, seenSet));
        Assert.Equal(seen.Count, seenSet.Count);
        // Some of the changes fell inside the walk, or the test proved nothing about concurrency.
        Assert.True(seen.Any(n => n.StartsWith("new-", StringComparison.Ordinal)) || seen.Count(n => n.StartsWith("gone-", StringComparison.Ordinal)) < doomed.Count,
            "the walk saw none of the concurrent changes");
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(-5, null)]
    [InlineData(GetChildrenPageRequest.MaxPageSize + 1, null)]
    [InlineData(10, "")]
    [InlineData(10, "x/y")]
    public async Task Bad_arguments_are_BadArguments_from_the_client_and_from_the_service(int pageSize, string? after)
    {
        var parent = P("bad");
        await Zk.CreateAsync(parent, null);
        var e = await Assert.ThrowsAsync<BadArgumentsException>(() => Zk.GetChildrenPageAsync(parent, pageSize, after));
        Assert.Equal(ZkErrorCode.BadArguments, e.Code);
        await Assert.ThrowsAsync<BadArgumentsException>(() => Zk.GetChildrenPageAsync("no-slash", 10));
        // The service repeats the checks for callers that skip the SDK's.
        var partition = Fixture.Cluster.Client.GetGrain<IZkPartitionGrain>(PathHash.PartitionOf(parent, ClusterFixture.Partitions));
        var reply = await partition.Read(new ReadCall(ReadKind.GetChildrenPage, parent, Zk.SessionId, 0, Zk.LastZxid, PageSize: pageSize, After: after));
        Assert.Equal(ZkErrorCode.BadArguments, reply.Code);
        Assert.Null(reply.Children);
    }

    [Fact]
    public async Task A_missing_parent_is_NoNode_and_READ_is_checked_as_getChildren()
    {
        await Assert.ThrowsAsync<NoNodeException>(() => Zk.GetChildrenPageAsync(P("missing"), 10));

        var alice = new ZkId("digest", AclRules.GenerateDigest("alice:secret"));
        var secret = P("secret");
        await Zk.CreateAsync(secret, null, [new Acl(Perms.All, alice)]);
        var stranger = NewClient();
        await Assert.ThrowsAsync<NoAuthException>(() => stranger.GetChildrenPageAsync(secret, 10));
        await Assert.ThrowsAsync<NoAuthException>(() => stranger.GetChildrenAsync(secret));
        await stranger.AddAuthAsync("digest", Bytes("alice:secret"));
        await stranger.CreateAsync(secret + "/k", null);
        Assert.Equal(["k"], (await stranger.GetChildrenPageAsync(secret, 10)).Children);

        // Write, create, delete and admin, but no READ: still refused.
        var writeOnly = P("write-only");
        await Zk.CreateAsync(writeOnly, null, [new Acl(Perms.All & ~Perms.Read, ZkId.Anyone)]);
        await Assert.ThrowsAsync<NoAuthException>(() => Zk.GetChildrenPageAsync(writeOnly, 10));
    }

    [Fact]
    public async Task A_page_with_a_watcher_sets_a_child_watch_on_the_whole_node()
    {
        var parent = P("watched");
        await Zk.CreateAsync(parent, null);
        await Zk.CreateAsync(parent + "/a", null);
        await Zk.CreateAsync(parent + "/b", null);
        var rec = new WatchRecorder();
        var page = await Zk.GetChildrenPageAsync(parent, 1, null, rec.Watcher);
        Assert.Equal(["a"], page.Children);
        // A child beyond the page still fires it, once.
        await Zk.CreateAsync(parent + "/z", null);
        await rec.WaitForCountAsync(1, Deadline);
        await Zk.DeleteAsync(parent + "/z");
        await Zk.SyncAsync("/");
        Assert.Equal([$"NodeChildrenChanged {parent}"], rec.Seen);

        await Assert.ThrowsAsync<NoNodeException>(() => Zk.GetChildrenPageAsync(P("nothing"), 1, null, rec.Watcher));
    }

    [Fact]
    public async Task A_parent_whose_child_list_exceeds_jute_maxbuffer_is_read_in_pages()
    {
        const int children = 100_000;
        const int perMulti = 500; // under the fixture's 64 KiB request limit
        var parent = P("big");
        await Zk.CreateAsync(parent, null);
        var clock = Stopwatch.StartNew();
        var writes = new List<Task>();
        for (var start = 0; start < children; start += perMulti)
        {
            var ops = Enumerable.Range(start, perMulti)
                .Select(i => (WriteRequest)new CreateRequest($"{parent}/member-{i:D7}", null, AclList.OpenUnsafe, CreateMode.Persistent)).ToList();
            writes.Add(Zk.MultiAsync(ops)); // pipelined: FIFO per session
            if (writes.Count == 16)
            {
                await Task.WhenAll(writes);
                writes.Clear();
            }
        }
        await Task.WhenAll(writes);
        var createMs = clock.ElapsedMilliseconds;

        // What ZooKeeper's getChildren reply would carry: a 4-byte count, then each name with a 4-byte length.
        var juteBytes = 16 + 4 + Enumerable.Range(0, children).Sum(i => 4 + Encoding.UTF8.GetByteCount($"member-{i:D7}"));
        Assert.True(juteBytes > 0xfffff, $"the full list is only {juteBytes} bytes");

        clock.Restart();
        var walked = new List<string>(children);
        var pages = 0;
        string? after = null;
        do
        {
            var page = await Zk.GetChildrenPageAsync(parent, GetChildrenPageRequest.MaxPageSize, after);
            Assert.Equal(children, page.Stat.NumChildren);
            walked.AddRange(page.Children);
            after = page.Continuation;
            pages++;
        }
        while (after != null);
        var walkMs = clock.ElapsedMilliseconds;

        Assert.Equal(children / GetChildrenPageRequest.MaxPageSize, pages);
        Assert.Equal(Enumerable.Range(0, children).Select(i => $"member-{i:D7}"), walked);
        // A page from the middle, by name.
        Assert.Equal(["member-0050000", "member-0050001"], (await Zk.GetChildrenPageAsync(parent, 2, "member-0049999")).Children);
        Console.WriteLine($"{children} children ({juteBytes} bytes as one jute reply): created in {createMs} ms, walked in {pages} pages in {walkMs} ms");
    }
}
