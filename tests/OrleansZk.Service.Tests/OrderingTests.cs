using System.Diagnostics;
using OrleansZk.Core;

namespace OrleansZk.Service.Tests;

/// <summary>FIFO client order under real pipelining, monotonic reads across partitions, and sync.</summary>
public sealed class OrderingTests(ClusterFixture fixture) : ClusterTest(fixture)
{
    private const int Writes = 5_000;

    [Fact]
    public async Task Thousands_of_pipelined_setData_take_effect_in_call_order()
    {
        await Zk.CreateAsync(P("n"), Bytes("-1"));
        var writes = new Task<Stat>[Writes];
        var reads = new List<(int After, Task<DataResult> Read)>();
        for (var i = 0; i < Writes; i++)
        {
            writes[i] = Zk.SetDataAsync(P("n"), Bytes(i.ToString()));
            if (i % 100 == 0) reads.Add((i, Zk.GetDataAsync(P("n"))));
        }
        var stats = await Task.WhenAll(writes);
        for (var i = 0; i < Writes; i++) Assert.Equal(i + 1, stats[i].Version);
        var final = await Zk.GetDataAsync(P("n"));
        Assert.Equal((Writes - 1).ToString(), Text(final.Data));
        Assert.Equal(Writes, final.Stat.Version);

        foreach (var (after, read) in reads)
        {
            // A read called right after write i sees exactly write i: not an earlier one (it waited
            // for the writes before it), not a later one (those waited for it).
            var seen = await read;
            var value = int.Parse(Text(seen.Data));
            Assert.True(value == after, $"a read called after write {after} saw {value}");
            Assert.Equal(value + 1, seen.Stat.Version);
        }
    }

    [Fact]
    public async Task Pipelined_sequential_creates_are_numbered_in_call_order()
    {
        await Zk.CreateAsync(P("q"), null);
        const int creates = 2_000;
        var names = new Task<string>[creates];
        for (var i = 0; i < creates; i++)
            names[i] = Zk.CreateAsync(P("q/s-"), Bytes(i.ToString()), mode: i % 2 == 0 ? CreateMode.PersistentSequential : CreateMode.EphemeralSequential);
        var created = await Task.WhenAll(names);

        for (var i = 0; i < creates; i++) Assert.Equal(P($"q/s-{i:D10}"), created[i]);
        Assert.Equal(creates, (await Zk.GetChildrenWithStatAsync(P("q"))).Stat.NumChildren);
        Assert.Equal("1234", Text((await Zk.GetDataAsync(P($"q/s-{1234:D10}"))).Data));
    }

    [Fact]
    public async Task Pipelined_mixed_writes_and_reads_see_everything_called_before_them()
    {
        var checks = new List<Task>();
        for (var i = 0; i < 300; i++)
        {
            var path = P("m" + i);
            var create = Zk.CreateAsync(path, Bytes("c"));
            var set = Zk.SetDataAsync(path, Bytes("s"));
            var read = Zk.GetDataAsync(path);      // called after both writes: sees both
            var exists = Zk.ExistsAsync(P("m" + (i + 1)));   // called before m(i+1) is created: never sees it
            checks.Add(Check(create, set, read, exists));
        }
        await Task.WhenAll(checks);

        static async Task Check(Task<string> create, Task<Stat> set, Task<DataResult> read, Task<Stat?> exists)
        {
            await create;
            Assert.Equal(1, (await set).Version);
            var data = await read;
            Assert.Equal("s", Text(data.Data));
            Assert.Equal(1, data.Stat.Version);
            Assert.Null(await exists);
        }
    }

    [Fact]
    public async Task A_failed_write_does_not_stop_the_writes_after_it()
    {
        var tasks = new List<Task>();
        for (var i = 0; i < 100; i++)
        {
            tasks.Add(Zk.CreateAsync(P("w" + i), null));
            tasks.Add(Assert.ThrowsAsync<NodeExistsException>(() => Zk.CreateAsync(P("w" + i), null)));
        }
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(100, (await Zk.GetChildrenAsync(Root)).Count);
    }

    [Fact]
    public async Task Reads_never_go_back_in_time_across_partitions()
    {
        // Two nodes in different partitions: a writer sets both to i, first a then b; a reader that
        // has seen b = i must then see a >= i, since its reads carry the zxid of what it has seen.
        var (a, b) = TwoPathsInDifferentPartitions();
        await Zk.CreateAsync(a, Bytes("0"));
        await Zk.CreateAsync(b, Bytes("0"));
        var writer = NewClient();
        var reader = NewClient();
        await reader.ConnectAsync();

        const int rounds = 300;
        var writing = Task.Run(async () =>
        {
            for (var i = 1; i <= rounds; i++)
            {
                var first = writer.SetDataAsync(a, Bytes(i.ToString()));
                await writer.SetDataAsync(b, Bytes(i.ToString()));
                await first;
            }
        });

        var lastB = 0;
        while (lastB < rounds)
        {
            var seenB = int.Parse(Text((await reader.GetDataAsync(b)).Data));
            var seenA = int.Parse(Text((await reader.GetDataAsync(a)).Data));
            Assert.True(seenB >= lastB, $"b went back from {lastB} to {seenB}");
            Assert.True(seenA >= seenB, $"after seeing b = {seenB} the reader saw a = {seenA}");
            lastB = seenB;
            if (writing.IsFaulted) await writing;
        }
        await writing;
    }

    [Fact]
    public async Task A_write_then_a_read_of_another_partition_is_at_least_as_new()
    {
        var (a, b) = TwoPathsInDifferentPartitions();
        await Zk.CreateAsync(b, null);
        var created = await Zk.CreateWithStatAsync(a, null);
        var zxid = Zk.LastZxid;
        Assert.True(zxid >= created.Stat.Czxid);

        Assert.NotNull(await Zk.ExistsAsync(b));
        Assert.True(Zk.LastZxid >= zxid);
    }

    [Fact]
    public async Task Sync_then_read_sees_another_clients_writes()
    {
        var other = NewClient();
        var stats = new List<Stat>();
        await other.CreateAsync(P("s"), null);
        for (var i = 0; i < 20; i++) stats.Add(await other.SetDataAsync(P("s"), Bytes(i.ToString())));

        await Zk.SyncAsync(P("s"));
        Assert.True(Zk.LastZxid >= stats[^1].Mzxid);
        var data = await Zk.GetDataAsync(P("s"));
        Assert.Equal("19", Text(data.Data));
        Assert.Equal(20, data.Stat.Version);
    }

    [Fact]
    public async Task Pipelining_is_not_much_slower_than_the_replica_allows()
    {
        // Not a benchmark: a guard against FIFO gating that serialises the writes (each waiting for
        // the last reply) — 2,000 pipelined creates must not take a round trip each plus an fsync.
        await Zk.CreateAsync(P("fast"), null);
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 2_000).Select(i => Zk.CreateAsync(P("fast/" + i), null)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"2,000 pipelined creates took {watch.Elapsed}");
    }

    private (string A, string B) TwoPathsInDifferentPartitions()
    {
        var a = P("a");
        var partition = PathHash.PartitionOf(a, ClusterFixture.Partitions);
        var b = Enumerable.Range(0, 100).Select(i => P("b" + i)).First(p => PathHash.PartitionOf(p, ClusterFixture.Partitions) != partition);
        return (a, b);
    }
}
