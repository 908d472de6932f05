using OrleansZk.Core;
using OrleansZk.Wire.Server;

namespace OrleansZk.Wire.Tests;

/// <summary>The order of a connection's output: replies in request order, notifications before unsent replies but after the reply of the read that set their watch.</summary>
public sealed class ReplySequencerTests
{
    private static WireReply Reply(int xid) => new(xid, ZkErrorCode.Ok, null);

    private static WireReply Event(string path) => WireReply.Notification(3, path);

    private static async Task<List<int>> TakeAsync(ReplySequencer sequencer)
    {
        var xids = new List<int>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (await sequencer.NextAsync(deadline.Token) is { } batch) xids.AddRange(batch.Select(r => r.Xid));
        return xids;
    }

    [Fact]
    public async Task Replies_go_in_request_order_whatever_order_they_complete_in()
    {
        var sequencer = new ReplySequencer(100);
        var first = new TaskCompletionSource<WireReply>();
        var second = new TaskCompletionSource<WireReply>();
        sequencer.Enqueue(sequencer.Reserve(), first.Task);
        sequencer.Enqueue(sequencer.Reserve(), second.Task);
        sequencer.Complete();
        second.SetResult(Reply(2));
        var taking = TakeAsync(sequencer);
        Assert.False(taking.IsCompleted);
        first.SetResult(Reply(1));
        Assert.Equal([1, 2], await taking);
    }

    [Fact]
    public async Task A_notification_overtakes_unsent_replies_but_waits_for_the_read_that_set_its_watch()
    {
        var sequencer = new ReplySequencer(100);
        var read = sequencer.Reserve();
        var readReply = new TaskCompletionSource<WireReply>();
        var write = sequencer.Reserve();
        var writeReply = new TaskCompletionSource<WireReply>();
        // The watch fires before the read's slot is even in line: the event waits for the read's reply.
        sequencer.Notify(Event("/a"), [read]);
        sequencer.Enqueue(read, readReply.Task);
        sequencer.Enqueue(write, writeReply.Task);
        // Another event, of a watch whose reply went long ago: before every unsent reply.
        sequencer.Notify(Event("/b"), []);
        writeReply.SetResult(Reply(2));
        readReply.SetResult(Reply(1));
        sequencer.Complete();
        Assert.Equal([-1, 1, -1, 2], await TakeAsync(sequencer));
    }

    [Fact]
    public async Task A_notification_follows_the_latest_of_the_reads_whose_watches_it_fires()
    {
        var sequencer = new ReplySequencer(100);
        var a = sequencer.Reserve();
        var b = sequencer.Reserve();
        var c = sequencer.Reserve();
        sequencer.Notify(Event("/x"), [a, b]);
        sequencer.Enqueue(a, Task.FromResult(Reply(1)));
        sequencer.Enqueue(b, Task.FromResult(Reply(2)));
        sequencer.Enqueue(c, Task.FromResult(Reply(3)));
        sequencer.Complete();
        Assert.Equal([1, 2, -1, 3], await TakeAsync(sequencer));
    }

    [Fact]
    public void Too_many_waiting_notifications_mark_the_connection_for_closing()
    {
        var sequencer = new ReplySequencer(3);
        var stuck = sequencer.Reserve();
        sequencer.Enqueue(stuck, new TaskCompletionSource<WireReply>().Task);
        for (var i = 0; i < 3; i++) sequencer.Notify(Event("/p"), [stuck]);
        Assert.False(sequencer.Overflowed);
        sequencer.Notify(Event("/p"), [stuck]);
        Assert.True(sequencer.Overflowed);
    }

    [Fact]
    public async Task Reading_resumes_once_the_writer_takes_the_replies()
    {
        var sequencer = new ReplySequencer(100);
        sequencer.Enqueue(sequencer.Reserve(), Task.FromResult(Reply(1)));
        sequencer.Enqueue(sequencer.Reserve(), Task.FromResult(Reply(2)));
        var room = sequencer.WaitForRoomAsync(2, CancellationToken.None);
        Assert.False(room.IsCompleted);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.Equal([1, 2], (await sequencer.NextAsync(deadline.Token))!.Select(r => r.Xid));
        await room.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Reading_waits_while_too_many_replies_are_outstanding()
    {
        var sequencer = new ReplySequencer(100);
        var pending = new TaskCompletionSource<WireReply>();
        sequencer.Enqueue(sequencer.Reserve(), pending.Task);
        sequencer.Enqueue(sequencer.Reserve(), Task.FromResult(Reply(2)));
        var room = sequencer.WaitForRoomAsync(2, CancellationToken.None);
        Assert.False(room.IsCompleted);
        pending.SetResult(Reply(1));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.Equal([1, 2], (await sequencer.NextAsync(deadline.Token))!.Select(r => r.Xid));
        await room.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
