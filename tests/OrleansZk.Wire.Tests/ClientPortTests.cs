using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using OrleansZk.Core;
using OrleansZk.Wire.Protocol;

namespace OrleansZk.Wire.Tests;

/// <summary>
/// The client port at the byte level, on a TestingHost silo: the handshake's answers, replies in
/// request order, and bad input — too long, negative, cut short, malformed, an unknown op, not a
/// connect request — closing that connection only, with nothing of it applied.
/// </summary>
[Collection(WireCollection.Name)]
public sealed class ClientPortTests(WireCluster cluster)
{
    private static string NewPath(string name) => $"/{name}-{Guid.NewGuid():N}";

    private async Task<bool> ExistsAsync(RawClient witness, string path)
    {
        var (header, _) = await witness.CallAsync(OpCode.Exists, new PathWatchRequest(path, false));
        return header.Err == ZkErrorCode.Ok;
    }

    [Fact]
    public async Task Handshake_answers_a_new_session_with_its_timeout_id_and_password()
    {
        await using var client = await RawClient.OpenAsync(cluster.EndPoint);
        var response = await client.HandshakeAsync(timeoutMs: 100_000);
        Assert.NotNull(response);
        Assert.Equal(0, response.ProtocolVersion);
        Assert.Equal(30_000, response.TimeOut); // clamped to the service's maximum
        Assert.NotEqual(0, response.SessionId);
        Assert.Equal(16, response.Passwd.Length);
        Assert.False(response.ReadOnly);
    }

    [Fact]
    public async Task Replies_come_in_request_order_with_their_xids_and_a_zxid_that_never_goes_back()
    {
        await using var client = await RawClient.ConnectAsync(cluster.EndPoint);
        var root = NewPath("order");
        await client.CallAsync(OpCode.Create, RawClient.Create(root));
        var xids = new List<int>();
        for (var i = 0; i < 40; i++)
        {
            xids.Add(await client.SendAsync(OpCode.Create, RawClient.Create($"{root}/n{i}")));
            xids.Add(await client.SendAsync(OpCode.GetChildren, new PathWatchRequest(root, false)));
            xids.Add(await client.SendAsync(OpCode.Ping, EmptyWireRequest.Instance, Xids.Ping));
        }
        var zxid = 0L;
        var expected = xids.ToList();
        var children = 0;
        foreach (var want in expected)
        {
            var reply = await client.ReadReplyAsync();
            Assert.NotNull(reply);
            Assert.Equal(want, reply.Value.Header.Xid);
            Assert.Equal(ZkErrorCode.Ok, reply.Value.Header.Err);
            Assert.True(reply.Value.Header.Zxid >= zxid, "zxids went back");
            zxid = reply.Value.Header.Zxid;
            // FIFO: each getChildren sees every create sent before it.
            if (reply.Value.Response is StringsResponse kids) Assert.Equal(++children, kids.Strings.Count);
        }
    }

    [Fact]
    public async Task A_frame_longer_than_jute_maxbuffer_closes_that_connection_only_and_applies_nothing()
    {
        await using var witness = await RawClient.ConnectAsync(cluster.EndPoint);
        await using var bad = await RawClient.ConnectAsync(cluster.EndPoint);
        var path = NewPath("big");
        var frame = RawClient.Frame(1, OpCode.Create, new CreateWireRequest(path, new byte[0x100000], [Acl.OpenUnsafe], 0));
        await bad.SendRawAsync(frame);
        Assert.True(await bad.ClosedByServerAsync(), "the connection stayed open");
        Assert.False(await ExistsAsync(witness, path));
    }

    [Fact]
    public async Task A_negative_length_closes_that_connection_only()
    {
        await using var witness = await RawClient.ConnectAsync(cluster.EndPoint);
        await using var bad = await RawClient.ConnectAsync(cluster.EndPoint);
        await bad.SendRawAsync([0xff, 0xff, 0xff, 0xf0, 1, 2, 3, 4]);
        Assert.True(await bad.ClosedByServerAsync());
        Assert.Equal(ZkErrorCode.Ok, (await witness.CallAsync(OpCode.Exists, new PathWatchRequest("/", false))).Header.Err);
    }

    [Fact]
    public async Task A_frame_cut_short_by_the_end_of_the_connection_applies_nothing()
    {
        await using var witness = await RawClient.ConnectAsync(cluster.EndPoint);
        var bad = await RawClient.ConnectAsync(cluster.EndPoint);
        var path = NewPath("cut");
        var frame = RawClient.Frame(1, OpCode.Create, RawClient.Create(path, "data"));
        await bad.SendRawAsync(frame[..^3]);
        bad.Drop();
        // Once the server has seen the end (a request behind it on another connection is answered), the cut create is not there.
        Assert.False(await ExistsAsync(witness, path));
        await bad.DisposeAsync();
    }

    [Fact]
    public async Task Digest_auth_without_credentials_is_refused_AuthFailed_and_the_connection_closes()
    {
        // zkCli's "addauth digest" with nothing after it sends a null buffer.
        await using var client = await RawClient.ConnectAsync(cluster.EndPoint);
        await client.SendAsync(OpCode.Auth, new AuthWireRequest(0, "digest", null), xid: Xids.Auth);
        var reply = await client.ReadReplyAsync();
        Assert.Equal((Xids.Auth, ZkErrorCode.AuthFailed), (reply!.Value.Header.Xid, reply.Value.Header.Err));
        Assert.True(await client.ClosedByServerAsync(), "the connection stayed open");
    }

    [Fact]
    public async Task An_unknown_op_is_answered_Unimplemented_after_the_replies_before_it_then_the_connection_closes()
    {
        await using var witness = await RawClient.ConnectAsync(cluster.EndPoint);
        await using var bad = await RawClient.ConnectAsync(cluster.EndPoint);
        var before = NewPath("before");
        var createXid = await bad.SendAsync(OpCode.Create, RawClient.Create(before));
        await bad.SendRawAsync([0, 0, 0, 8, 0, 0, 0, 77, 0, 0, 0x03, 0xe7]);
        var first = await bad.ReadReplyAsync();
        Assert.Equal((createXid, ZkErrorCode.Ok), (first!.Value.Header.Xid, first.Value.Header.Err));
        var second = await bad.ReadReplyAsync();
        Assert.Equal((77, ZkErrorCode.Unimplemented), (second!.Value.Header.Xid, second.Value.Header.Err));
        Assert.True(await bad.ClosedByServerAsync());
        Assert.True(await ExistsAsync(witness, before));
    }

    [Fact]
    public async Task A_malformed_request_is_answered_MarshallingError_and_closes_the_connection_with_nothing_applied()
    {
        await using var witness = await RawClient.ConnectAsync(cluster.EndPoint);
        await using var bad = await RawClient.ConnectAsync(cluster.EndPoint);
        var path = NewPath("malformed");
        var good = RawClient.Frame(9, OpCode.Create, RawClient.Create(path));
        // Drop the last byte of the flags but keep the length consistent: the record is cut short inside the frame.
        var body = good[4..^1];
        var frame = new byte[body.Length + 4];
        BinaryPrimitives.WriteInt32BigEndian(frame, body.Length);
        body.CopyTo(frame, 4);
        await bad.SendRawAsync(frame);
        var reply = await bad.ReadReplyAsync();
        Assert.Equal((9, ZkErrorCode.MarshallingError), (reply!.Value.Header.Xid, reply.Value.Header.Err));
        Assert.True(await bad.ClosedByServerAsync());
        Assert.False(await ExistsAsync(witness, path));
    }

    [Fact]
    public async Task Garbage_instead_of_a_connect_request_closes_the_connection_without_an_answer()
    {
        await using var witness = await RawClient.ConnectAsync(cluster.EndPoint);
        await using var bad = await RawClient.OpenAsync(cluster.EndPoint);
        await bad.SendRawAsync([0, 0, 0, 6, 0xde, 0xad, 0xbe, 0xef, 0, 1]);
        Assert.True(await bad.ClosedByServerAsync());
        Assert.Equal(ZkErrorCode.Ok, (await witness.CallAsync(OpCode.Exists, new PathWatchRequest("/", false))).Header.Err);
    }

    [Fact]
    public async Task A_dropped_connection_keeps_the_session_which_resumes_and_closes_on_closeSession()
    {
        await using var witness = await RawClient.ConnectAsync(cluster.EndPoint);
        var first = await RawClient.ConnectAsync(cluster.EndPoint);
        var session = first.Session!;
        var path = NewPath("eph");
        Assert.Equal(ZkErrorCode.Ok, (await first.CallAsync(OpCode.Create, RawClient.Create(path, flags: 1))).Header.Err);
        first.Drop();
        await first.DisposeAsync();

        await using var again = await RawClient.ConnectAsync(cluster.EndPoint, sessionId: session.SessionId, password: session.Passwd, lastZxid: 1);
        Assert.Equal(session.SessionId, again.Session!.SessionId);
        Assert.Equal(session.TimeOut, again.Session.TimeOut);
        Assert.True(await ExistsAsync(witness, path), "the ephemeral went with the TCP connection");
        var close = await again.CallAsync(OpCode.CloseSession, EmptyWireRequest.Instance);
        Assert.Equal(ZkErrorCode.Ok, close.Header.Err);
        Assert.True(await again.ClosedByServerAsync());
        Assert.False(await ExistsAsync(witness, path), "closeSession left the ephemeral");
    }

    [Fact]
    public async Task A_wrong_password_gets_the_expired_answer_and_the_connection_closes()
    {
        await using var owner = await RawClient.ConnectAsync(cluster.EndPoint);
        await using var thief = await RawClient.OpenAsync(cluster.EndPoint);
        var response = await thief.HandshakeAsync(sessionId: owner.Session!.SessionId, password: new byte[16]);
        Assert.NotNull(response);
        Assert.Equal((0, 0L), (response.TimeOut, response.SessionId));
        Assert.Equal(new byte[16], response.Passwd);
        Assert.True(await thief.ClosedByServerAsync());
        // The owner's connection is untouched.
        Assert.Equal(ZkErrorCode.Ok, (await owner.CallAsync(OpCode.Exists, new PathWatchRequest("/", false))).Header.Err);
    }

    [Fact]
    public async Task A_client_that_has_seen_a_newer_zxid_than_the_service_is_refused()
    {
        await using var client = await RawClient.OpenAsync(cluster.EndPoint);
        var response = await client.HandshakeAsync(lastZxid: long.MaxValue / 2);
        Assert.Null(response);
    }

    [Fact]
    public async Task A_session_silent_for_its_whole_timeout_ends_and_its_connection_closes()
    {
        await using var witness = await RawClient.ConnectAsync(cluster.EndPoint);
        await using var silent = await RawClient.ConnectAsync(cluster.EndPoint, timeoutMs: 1_000);
        var path = NewPath("silent");
        Assert.Equal(ZkErrorCode.Ok, (await silent.CallAsync(OpCode.Create, RawClient.Create(path, flags: 1))).Header.Err);
        Assert.True(await silent.ClosedByServerAsync(), "the silent connection stayed open");
        Assert.False(await ExistsAsync(witness, path), "the silent session's ephemeral is still there");
    }

    [Fact]
    public async Task Notifications_come_before_the_reply_that_reflects_their_change()
    {
        await using var client = await RawClient.ConnectAsync(cluster.EndPoint);
        var path = NewPath("notify");
        await client.CallAsync(OpCode.Create, RawClient.Create(path, "a"));
        await client.CallAsync(OpCode.GetData, new PathWatchRequest(path, true));
        var events = new List<WatcherEvent>();
        var set = await client.CallAsync(OpCode.SetData, new SetDataWireRequest(path, [1], -1), events);
        Assert.Equal(ZkErrorCode.Ok, set.Header.Err);
        Assert.Equal([new WatcherEvent(3, KeeperStates.SyncConnected, path)], events);
    }

    [Fact]
    public async Task A_client_that_stops_reading_its_replies_stops_being_read()
    {
        await using var witness = await RawClient.ConnectAsync(cluster.EndPoint);
        await using var slow = await RawClient.ConnectAsync(cluster.EndPoint);
        var path = NewPath("slow");
        await slow.CallAsync(OpCode.Create, new CreateWireRequest(path, new byte[32 * 1024], [Acl.OpenUnsafe], 0));
        const int Requests = 3_000;
        for (var i = 0; i < Requests; i++) await slow.SendAsync(OpCode.GetData, new PathWatchRequest(path, false));
        // cons reports each connection's outstanding replies: the slow one's never pass the bound.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        var peak = 0;
        while (DateTime.UtcNow < deadline)
        {
            var cons = await FourLetterWordAsync("cons");
            var queued = cons.Split('\n').Select(l => System.Text.RegularExpressions.Regex.Match(l, @"queued=(\d+)")).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value)).DefaultIfEmpty(0).Max();
            peak = Math.Max(peak, queued);
            if (queued >= 900) break;
            await Task.Delay(Poll.Interval);
        }
        Assert.InRange(peak, 1, 1_000);
        for (var i = 0; i < Requests; i++)
        {
            var reply = await slow.ReadReplyAsync();
            Assert.NotNull(reply);
            Assert.Equal(i + 2, reply.Value.Header.Xid);
        }
    }

    [Fact]
    public async Task Mntr_counts_reads_and_updates_with_their_latencies_as_ZooKeepers_summaries_and_srst_starts_them_again()
    {
        static long Count(string mntr, string summary) =>
            long.Parse(Regex.Match(mntr, $@"\nzk_cnt_{summary}\t(\d+)\n").Groups[1].Value, CultureInfo.InvariantCulture);
        var before = await FourLetterWordAsync("mntr");
        await using var client = await RawClient.ConnectAsync(cluster.EndPoint);
        var path = NewPath("latency");
        Assert.Equal(ZkErrorCode.Ok, (await client.CallAsync(OpCode.Create, RawClient.Create(path))).Header.Err);
        Assert.True(await ExistsAsync(client, path));
        Assert.True(await ExistsAsync(client, path));
        var after = await FourLetterWordAsync("mntr");
        Assert.True(Count(after, "updatelatency") - Count(before, "updatelatency") >= 1, "the create is an update");
        Assert.True(Count(after, "readlatency") - Count(before, "readlatency") >= 2, "the two exists are reads");
        Assert.Matches(@"\nzk_max_updatelatency\t\d+(\.\d+)?\n", after);

        Assert.Equal("Server stats reset.\n", await FourLetterWordAsync("srst"));
        var reset = await FourLetterWordAsync("mntr");
        Assert.Equal(0, Count(reset, "updatelatency"));
        Assert.Equal(0, Count(reset, "readlatency"));
        Assert.Contains("\nzk_max_updatelatency\t0\n", reset);
        Assert.True(Count(reset, "write_time") < Count(after, "write_time"), "the replica's stages count from the reset");
        Assert.True(await ExistsAsync(client, path));
        Assert.Equal(ZkErrorCode.Ok, (await client.CallAsync(OpCode.SetData, new SetDataWireRequest(path, [1], -1))).Header.Err);
        var later = await FourLetterWordAsync("mntr");
        Assert.Equal(1, Count(later, "updatelatency"));
        Assert.Equal(1, Count(later, "readlatency"));
        Assert.True(Count(later, "write_time") >= 1, "the setData's write counted after the reset");
    }

    [Fact]
    public async Task Four_letter_words_answer_as_ZooKeeper_and_a_word_not_enabled_is_refused()
    {
        Assert.Equal("imok", await FourLetterWordAsync("ruok"));
        var srvr = await FourLetterWordAsync("srvr");
        Assert.StartsWith("Zookeeper version: 3.8.0-OrleansZk", srvr);
        Assert.Contains("\nMode: standalone\n", srvr);
        Assert.Matches(@"\nNode count: \d+\n", srvr);
        Assert.Matches(@"\nZxid: 0x[0-9a-f]+\n", srvr);
        GC.Collect(); // the silos run in this process: their heap figures are those of a collection
        var mntr = await FourLetterWordAsync("mntr");
        Assert.Contains("zk_server_state\tstandalone\n", mntr);
        Assert.Matches(@"zk_znode_count\t\d+\n", mntr);
        Assert.Matches(@"zk_ephemerals_count\t\d+\n", mntr);
        Assert.Matches(@"zk_approximate_data_size\t[1-9]\d*\n", mntr);
        Assert.Matches(@"zk_open_file_descriptor_count\t[1-9]\d*\n", mntr);
        Assert.Matches(@"zk_max_file_descriptor_count\t[1-9]\d*\n", mntr);
        foreach (var key in new[] { "resident_bytes", "gc_heap_bytes", "gc_committed_bytes", "gc_collections" })
            Assert.Matches($@"\nzk_{key}\t[1-9]\d*\n", mntr);
        Assert.Matches(@"\nzk_gc_fragmented_bytes\t\d+\n", mntr);
        Assert.Matches(@"\nzk_gc_pause_ms\t\d+(\.\d+)?\n", mntr);
        Assert.Matches(@"\nzk_gc_last_pause_ms\t\d+(\.\d+)?\n", mntr);
        foreach (var summary in new[] { "readlatency", "updatelatency" })
            foreach (var key in new[] { "avg", "max", "cnt", "sum", "p50", "p95", "p99", "p999" })
                Assert.Matches($@"\nzk_{key}_{summary}\t\d+(\.\d+)?\n", mntr);
        foreach (var stage in StageLatency.Names)
            foreach (var key in new[] { "avg", "max", "cnt", "sum", "p50", "p99" })
                Assert.Matches($@"\nzk_{key}_{stage}\t\d+(\.\d+)?\n", mntr);
        Assert.Matches(@"\nzk_cnt_fsynctime\t[1-9]\d*\n", mntr); // the replica's first election wrote its hard state
        Assert.Contains("Clients:\n", await FourLetterWordAsync("stat"));
        Assert.Contains("clientPort=" + cluster.EndPoint.Port + "\n", await FourLetterWordAsync("conf"));
        Assert.Matches(@"^\d+ connections watching \d+ paths\nTotal watches:\d+\n$", await FourLetterWordAsync("wchs"));
        Assert.Equal("envi is not executed because it is not in the whitelist.\n", await FourLetterWordAsync("envi"));
    }

    private async Task<string> FourLetterWordAsync(string word)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(cluster.EndPoint);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(word));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(20));
    }
}
