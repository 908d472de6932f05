using OrleansZk.Client;

namespace OrleansZk.Service.Tests;

/// <summary>The SDK's FIFO bookkeeping on its own (no cluster).</summary>
public sealed class RequestOrderTests
{
    [Fact]
    public async Task Writes_go_out_at_once_and_a_read_waits_for_the_writes_before_it_only()
    {
        var order = new RequestOrder();
        var first = order.IssueRead();
        Assert.True(first.Ready.IsCompleted);
        order.CompleteRead(first.Seq);

        var w1 = order.IssueWrite();
        var w2 = order.IssueWrite();
        Assert.True(w1.Ready.IsCompleted && w2.Ready.IsCompleted);
        var read = order.IssueRead();
        order.Complete(w2.Seq);   // replies arrive in any order
        Assert.False(read.Ready.IsCompleted);
        order.Complete(w1.Seq);
        await read.Ready.WaitAsync(TimeSpan.FromSeconds(5));
        order.CompleteRead(read.Seq);

        var w3 = order.IssueWrite();
        var after = order.IssueRead();
        Assert.False(after.Ready.IsCompleted);
        order.Complete(w3.Seq);
        await after.Ready.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task An_addauth_waits_for_everything_before_it_and_holds_back_everything_after()
    {
        var order = new RequestOrder();
        var w1 = order.IssueWrite();
        var auth = order.IssueAuth();
        var w2 = order.IssueWrite();
        var read = order.IssueRead().Ready;
        Assert.False(auth.Ready.IsCompleted);
        Assert.False(w2.Ready.IsCompleted);

        order.Complete(w1.Seq);
        await auth.Ready.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(w2.Ready.IsCompleted);

        order.Complete(auth.Seq);
        await w2.Ready.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(read.IsCompleted);
        order.Complete(w2.Seq);
        await read.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("127.0.0.1:30000", "127.0.0.1:30000")]
    [InlineData("127.0.0.1", "127.0.0.1:30000")]
    [InlineData(" 10.0.0.1:1, 10.0.0.2:2 ", "10.0.0.1:1,10.0.0.2:2")]
    [InlineData("[::1]:5", "[::1]:5")]
    [InlineData("localhost:4000", "127.0.0.1:4000")]
    public async Task Connect_strings_name_gateways(string connectString, string expected)
    {
        var endpoints = await ZkClient.ParseConnectStringAsync(connectString, CancellationToken.None);
        Assert.Equal(expected, string.Join(",", endpoints.Select(e => e.ToString())));
    }

    [Theory]
    [InlineData("")]
    [InlineData("host:notaport")]
    [InlineData("host:70000")]
    public async Task A_malformed_connect_string_is_BadArguments(string connectString)
    {
        await Assert.ThrowsAsync<OrleansZk.Core.BadArgumentsException>(() => ZkClient.ParseConnectStringAsync(connectString, CancellationToken.None));
    }
}
