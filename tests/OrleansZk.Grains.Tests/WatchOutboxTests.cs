using OrleansZk.Core;

namespace OrleansZk.Grains.Tests;

/// <summary>
/// <see cref="WatchOutbox"/> alone, with an observer whose answers the test gives: one call at a time,
/// what waits goes as one message, too much waiting is dropped (the client sees a gap), a retired
/// outbox sends nothing more. Every continuation runs on the test's thread (the answers complete
/// synchronously), so nothing here races.
/// </summary>
public sealed class WatchOutboxTests
{
    private sealed class Observer : IZkWatchObserver
    {
        public readonly List<(WatchEvents Message, TaskCompletionSource Answer)> Calls = [];

        public Task OnWatchEvents(WatchEvents message)
        {
            var answer = new TaskCompletionSource();
            Calls.Add((message, answer));
            return answer.Task;
        }

        public IEnumerable<long> Seqs(int call) => Calls[call].Message.Events.Select(e => e.Seq);
    }

    private static WatchEvents Message(long first, int count, long through) =>
        new(7, 1, Enumerable.Range(0, count).Select(i => new WatchEvent(first + i, WatchEventType.NodeDataChanged, "/a", through)).ToArray(), through);

    [Fact]
    public void Messages_posted_while_a_call_is_out_leave_together_once_it_is_answered()
    {
        var observer = new Observer();
        var outbox = new WatchOutbox(observer, (_, _) => Assert.Fail("nothing is dropped"));
        outbox.Post(Message(1, 1, 10));
        outbox.Post(Message(2, 2, 11));
        outbox.Post(Message(4, 1, 12));
        Assert.Single(observer.Calls);

        observer.Calls[0].Answer.SetResult();
        Assert.Equal(2, observer.Calls.Count);
        Assert.Equal([2L, 3, 4], observer.Seqs(1));
        Assert.Equal(12, observer.Calls[1].Message.ThroughZxid);

        observer.Calls[1].Answer.SetResult();
        outbox.Post(Message(5, 1, 13));
        Assert.Equal(3, observer.Calls.Count);
        Assert.Equal([5L], observer.Seqs(2));
    }

    [Fact]
    public void A_failed_call_drops_its_message_and_the_next_one_goes()
    {
        var observer = new Observer();
        var dropped = new List<(Exception? Error, WatchEvents Message)>();
        var outbox = new WatchOutbox(observer, (e, m) => dropped.Add((e, m)));
        outbox.Post(Message(1, 1, 10));
        outbox.Post(Message(2, 1, 11));
        observer.Calls[0].Answer.SetException(new TimeoutException("the client is gone"));
        Assert.IsType<TimeoutException>(Assert.Single(dropped).Error);
        Assert.Equal([1L], dropped[0].Message.Events.Select(e => e.Seq));
        Assert.Equal([2L], observer.Seqs(1));
    }

    [Fact]
    public void Too_many_events_behind_an_unanswered_call_are_dropped_and_later_ones_still_go()
    {
        var observer = new Observer();
        var dropped = new List<WatchEvents>();
        var outbox = new WatchOutbox(observer, (_, m) => dropped.Add(m));
        outbox.Post(Message(1, 1, 10));
        outbox.Post(Message(2, WatchOutbox.MaxWaitingEvents, 11));
        outbox.Post(Message(2 + WatchOutbox.MaxWaitingEvents, 1, 12));
        var gone = Assert.Single(dropped);
        Assert.Equal(WatchOutbox.MaxWaitingEvents + 1, gone.Events.Count);
        Assert.Equal(2, gone.Events[0].Seq);

        outbox.Post(Message(3 + WatchOutbox.MaxWaitingEvents, 1, 13));
        observer.Calls[0].Answer.SetResult();
        // The client gets seq 1, then a gap: it re-registers.
        Assert.Equal([3L + WatchOutbox.MaxWaitingEvents], observer.Seqs(1));
    }

    [Fact]
    public void A_retired_outbox_hands_back_what_had_not_left_and_sends_nothing_more()
    {
        var observer = new Observer();
        var outbox = new WatchOutbox(observer, (_, _) => Assert.Fail("nothing is dropped"));
        outbox.Post(Message(1, 1, 10));
        outbox.Post(Message(2, 1, 11));
        var waiting = outbox.Retire();
        Assert.Equal([2L], waiting!.Events.Select(e => e.Seq));
        outbox.Post(Message(3, 1, 12));
        observer.Calls[0].Answer.SetResult();
        Assert.Single(observer.Calls);
    }
}
