using OrleansZk.Client;

namespace OrleansZk.Service.Tests;

/// <summary>The fence the SDK puts on the first write after a reconnect or a resume (no cluster).</summary>
public sealed class RequestOrderFenceTests
{
    [Fact]
    public async Task A_fenced_write_waits_for_everything_before_it_and_everything_after_waits_for_it()
    {
        var order = new RequestOrder();
        var w1 = order.IssueWrite();
        var r1 = order.IssueRead();
        var fence = order.IssueFence();
        var w2 = order.IssueWrite();
        var r2 = order.IssueRead();
        Assert.False(fence.Ready.IsCompleted || w2.Ready.IsCompleted || r2.Ready.IsCompleted);

        order.Complete(w1.Seq);
        Assert.False(fence.Ready.IsCompleted);
        await r1.Ready.WaitAsync(TimeSpan.FromSeconds(5));
        order.CompleteRead(r1.Seq);
        await fence.Ready.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(w2.Ready.IsCompleted || r2.Ready.IsCompleted);

        order.Complete(fence.Seq);
        await w2.Ready.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(r2.Ready.IsCompleted); // a read still waits for the writes before it
        order.Complete(w2.Seq);
        await r2.Ready.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
