using Xunit.Abstractions;
using OrleansZk.Zab;

namespace OrleansZk.Storage.Tests;

public sealed class GroupCommitTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly TempDir _tmp = new();
    public void Dispose() => _tmp.Dispose();

    private TxnLog Open(bool forceSync = true) => TxnLog.Open(_tmp.Path, T.Options(_tmp.Path, forceSync, segmentBytes: 1 << 20));

    private static void WaitUntil(Func<bool> condition, string what)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var spin = new SpinWait();
        while (!condition())
        {
            if (sw.Elapsed > Deadline) throw new TimeoutException($"timed out waiting until {what}");
            spin.SpinOnce();
        }
    }

    [Fact]
    public async Task Writers_queued_during_an_fsync_share_the_next_one_and_complete_only_when_durable()
    {
        using var log = Open();
        using var inSync = new SemaphoreSlim(0);
        using var release = new ManualResetEventSlim(false);
        log.BeforeSync = () =>
        {
            inSync.Release();
            release.Wait(Deadline);
        };
        var front = new GroupCommitLog(log);

        var first = front.AppendAsync(T.Txn(1));
        Assert.True(await inSync.WaitAsync(Deadline)); // batch 1 is inside its fsync
        var others = new Task[15];
        var gate = new object();
        long next = 1;
        Parallel.For(0, 15, i =>
        {
            lock (gate) others[i] = front.AppendAsync(T.Txn(++next));
        });
        WaitUntil(() => front.PendingCount == 15, "15 records are queued");
        Assert.False(first.IsCompleted); // not acknowledged before its fsync returns
        Assert.All(others, t => Assert.False(t.IsCompleted));

        release.Set();
        await Task.WhenAll(others.Append(first)).WaitAsync(Deadline);
        Assert.Equal(2, log.SyncCount); // 16 writers, 2 fsyncs
        await front.DisposeAsync();
        log.Dispose();

        using var reopened = Open();
        T.AssertSame(T.Txns(1, 16), reopened.ReadAfter(0));
    }

    [Fact]
    public async Task Sixteen_concurrent_writers_all_durable_in_order_with_fewer_fsyncs_than_records()
    {
        const int writers = 16, perWriter = 100, total = writers * perWriter;
        using (var log = Open())
        {
            var front = new GroupCommitLog(log);
            var gate = new object();
            long next = 0;
            await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
            {
                for (var i = 0; i < perWriter; i++)
                {
                    Task t;
                    lock (gate) t = front.AppendAsync(T.Txn(++next));
                    await t;
                }
            }))).WaitAsync(Deadline);
            await front.DisposeAsync();
            Assert.Equal(total, log.LastZxid);
            output.WriteLine($"{log.SyncCount} fsyncs, {front.BatchCount} batches for {total} records");
            Assert.True(log.SyncCount * 4 <= total, $"{log.SyncCount} fsyncs, {front.BatchCount} batches for {total} records");
            // Each batch's wait for the flusher and its write + fsync are timed once.
            Assert.Equal(front.BatchCount, front.FsyncTimes.Snapshot().Count);
            Assert.Equal(front.BatchCount, front.WaitTimes.Snapshot().Count);
            Assert.NotEqual(0, front.LastBatchEnd);
        }
        using var reopened = Open();
        T.AssertSame(T.Txns(1, total), reopened.ReadAfter(0));
    }

    [Fact]
    public async Task Out_of_order_zxids_are_refused_synchronously()
    {
        using var log = Open(forceSync: false);
        var front = new GroupCommitLog(log);
        await front.AppendAsync([T.Txn(1), T.Txn(2)]);
        Assert.Throws<ArgumentException>(() => { _ = front.AppendAsync(T.Txn(2)); });
        Assert.Throws<ArgumentException>(() => { _ = front.AppendAsync(new LogEntry(3, new byte[log.MaxRecordBytes + 1])); });
        await front.AppendAsync(T.Txn(3));
        Assert.Equal(3, front.LastQueuedZxid);
        await front.DisposeAsync();
        Assert.Throws<ObjectDisposedException>(() => { _ = front.AppendAsync(T.Txn(4)); });
    }

    [Fact]
    public async Task A_failed_fsync_fails_its_batch_and_every_later_call()
    {
        using var log = Open();
        log.BeforeSync = () => throw new IOException("disk on fire");
        var front = new GroupCommitLog(log);
        var e = await Assert.ThrowsAsync<IOException>(() => front.AppendAsync(T.Txn(1)));
        Assert.Equal("disk on fire", e.Message);
        await Assert.ThrowsAsync<IOException>(() => front.AppendAsync(T.Txn(2)));
        await front.DisposeAsync();
    }

    [Fact]
    public async Task ExecuteAsync_runs_after_earlier_records_are_durable()
    {
        using var log = Open();
        var front = new GroupCommitLog(log);
        var appended = front.AppendAsync(T.Txns(1, 5));
        long seen = -1;
        await front.ExecuteAsync(l => seen = l.LastZxid);
        Assert.True(appended.IsCompleted);
        Assert.Equal(5, seen);
        await front.DisposeAsync();
    }

    private sealed class NoHost : IZabHost
    {
        public void Install(ZabSnapshot snapshot) { }
        public void Send(IReadOnlyList<ZabMessage> messages) { }
        public void Apply(IReadOnlyList<LogEntry> committed) { }
        public void Confirmed(long token) { }
    }

    private sealed class NoState : IZabStateMachine
    {
        public ZabSnapshot TakeSnapshot() => new(0, []);
        public void Install(ZabSnapshot snapshot) { }
        public void Apply(LogEntry txn) { }
    }

    [Fact]
    public async Task Pipelined_engine_jobs_become_durable_in_order_with_their_hard_state()
    {
        using (var log = Open())
        {
            var front = new GroupCommitLog(log);
            var driver = new ZabDriver(new ZabPeer(new ZabConfig { Id = 1, Peers = [1] }, log, new NoState()), new NoHost());
            var jobs = new List<(PersistJob Job, Task Durable)>();
            void Take()
            {
                while (driver.Next() is { } job) jobs.Add((job, front.PersistAsync(job)));
            }
            for (var i = 0; i < 5 && !driver.Peer.Status.Established; i++)
            {
                driver.Peer.Tick();
                Take();
            }
            Assert.True(driver.Peer.Status.Established);
            // Several jobs in flight at once (their fsyncs merged), reported in order.
            for (var i = 1; i <= 20; i++)
            {
                driver.Peer.Propose(z => BitConverter.GetBytes(z));
                Take();
            }
            foreach (var (job, durable) in jobs)
            {
                await durable.WaitAsync(Deadline);
                driver.Persisted(job);
            }
            Assert.True(log.SyncCount < jobs.Count, $"{log.SyncCount} fsyncs for {jobs.Count} jobs");
            await front.DisposeAsync();
        }
        using var reopened = Open();
        Assert.Equal(new HardState(1, 1), reopened.HardState);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => Zxid.Make(1, i)), reopened.ReadAfter(0).Select(t => t.Zxid));
    }
}
