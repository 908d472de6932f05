using System.Buffers;
using OrleansZk.Core;
using OrleansZk.Wire.Jute;
using OrleansZk.Wire.Protocol;
using OrleansZk.Wire.Server;

namespace OrleansZk.Wire.Tests;

/// <summary>
/// Frames captured between Debian's ZooKeeper 3.8 Java client and a real ZooKeeper 3.8 server
/// (Captures/java-client-3.8.txt, recorded by Captures/recorder): every frame decodes into the
/// record its op names, and encoding that record gives back the very same bytes — requests as the
/// server reads them, replies and notifications as the server writes them.
/// </summary>
public sealed class CaptureTests
{
    private static readonly string CaptureFile = Path.Combine(AppContext.BaseDirectory, "Captures", "java-client-3.8.txt");

    /// <summary>The capture, one entry per frame: its connection, direction, bytes, and the step it belongs to.</summary>
    public static IEnumerable<(int Connection, bool ToServer, byte[] Frame, string Step)> Frames()
    {
        var connection = 0;
        var step = "";
        foreach (var line in File.ReadLines(CaptureFile))
        {
            if (line.StartsWith("= connection ", StringComparison.Ordinal)) connection = int.Parse(line["= connection ".Length..]);
            else if (line.StartsWith("# ", StringComparison.Ordinal)) step = line[2..];
            else if (line.Length > 2) yield return (connection, line[0] == '>', Convert.FromHexString(line[2..]), step);
        }
    }

    /// <summary>Each connection's bytes in one direction, its frames back to back as they crossed the socket.</summary>
    public static IEnumerable<(int Connection, bool ToServer, byte[] Bytes)> Streams() =>
        Frames().GroupBy(f => (f.Connection, f.ToServer)).Select(g => (g.Key.Connection, g.Key.ToServer, g.SelectMany(f => f.Frame).ToArray()));

    [Fact]
    public void Every_captured_frame_decodes_and_encodes_back_to_the_same_bytes()
    {
        var ops = new Dictionary<(int, int), OpCode>();
        var seen = new HashSet<int>();
        var opsSeen = new HashSet<OpCode>();
        var checkedFrames = 0;
        foreach (var (connection, toServer, frame, step) in Frames())
        {
            var sequence = new ReadOnlySequence<byte>(frame);
            var status = FrameDecoder.TryRead(sequence, 0xfffff, beforeConnect: !seen.Contains(connection * 2 + (toServer ? 0 : 1)),
                out var body, out var consumed, out _, out _);
            Assert.True(status == FrameStatus.Frame, $"{step}: {status}");
            Assert.Equal(frame.Length, (int)sequence.Slice(0, consumed).Length);
            var bytes = body.ToArray();
            var first = seen.Add(connection * 2 + (toServer ? 0 : 1));
            var w = new JuteWriter();
            if (first && toServer)
            {
                var r = new JuteReader(bytes);
                ConnectRequest.Read(ref r).Write(w);
            }
            else if (first)
            {
                var r = new JuteReader(bytes);
                ConnectResponse.Read(ref r).Write(w);
            }
            else if (toServer)
            {
                var (header, request) = RequestParser.Parse(bytes);
                ops[(connection, header.Xid)] = header.Type;
                opsSeen.Add(header.Type);
                header.Write(w);
                request.Write(w);
            }
            else
            {
                var (header, response) = ResponseParser.Parse(bytes, xid => ops.TryGetValue((connection, xid), out var op) ? op : null);
                Assert.True(frame.AsSpan().SequenceEqual(new WireReply(header.Xid, header.Err, response, header.Zxid).Encode(0)), $"{step}: reply to xid {header.Xid} re-encodes differently");
                checkedFrames++;
                continue;
            }
            Assert.True(frame.AsSpan().SequenceEqual(w.ToFrame()), $"{step}: {Convert.ToHexString(frame)} re-encodes as {Convert.ToHexString(w.ToFrame())}");
            checkedFrames++;
        }
        Assert.True(checkedFrames > 60, $"only {checkedFrames} frames checked");
        // The capture holds what the scenario exercises: every op a 3.8 client sends in it.
        foreach (var op in new[] { OpCode.Create, OpCode.Create2, OpCode.CreateContainer, OpCode.CreateTtl, OpCode.GetData, OpCode.SetData, OpCode.Exists,
                     OpCode.GetChildren, OpCode.GetChildren2, OpCode.GetAllChildrenNumber, OpCode.GetEphemerals, OpCode.GetAcl, OpCode.SetAcl, OpCode.Auth,
                     OpCode.WhoAmI, OpCode.Sync, OpCode.Multi, OpCode.MultiRead, OpCode.AddWatch, OpCode.SetWatches2, OpCode.RemoveWatches,
                     OpCode.CheckWatches, OpCode.Delete, OpCode.CloseSession })
            Assert.Contains(op, opsSeen);
    }

    [Fact]
    public void Captured_connect_and_reply_records_hold_what_the_client_sent()
    {
        var frames = Frames().ToList();
        var connect = frames.First(f => f.ToServer);
        var r = new JuteReader(connect.Frame.AsSpan(4));
        var request = ConnectRequest.Read(ref r);
        Assert.Equal((0, 0L, 30000, 0L, false), (request.ProtocolVersion, request.LastZxidSeen, request.TimeOut, request.SessionId, request.ReadOnly));
        Assert.Equal(new byte[16], request.Passwd);

        // The reconnect carries the session and the last zxid the client saw.
        var reconnect = frames.First(f => f.ToServer && f.Connection == 2);
        r = new JuteReader(reconnect.Frame.AsSpan(4));
        var again = ConnectRequest.Read(ref r);
        Assert.NotEqual(0, again.SessionId);
        Assert.True(again.LastZxidSeen > 0);

        // A failed multi: header Ok, every result an ErrorResult (Ok, BadVersion, RuntimeInconsistency).
        var failedMulti = frames.Where(f => f.Step.StartsWith("multi failing", StringComparison.Ordinal)).ToList();
        var (header, response) = ResponseParser.Parse(failedMulti.Single(f => !f.ToServer).Frame.AsSpan(4), _ => OpCode.Multi);
        Assert.Equal(ZkErrorCode.Ok, header.Err);
        Assert.Equal([ZkErrorCode.Ok, ZkErrorCode.BadVersion, ZkErrorCode.RuntimeInconsistency], ((MultiResponse)response!).Results.Select(x => x.Err));
        Assert.All(((MultiResponse)response).Results, x => Assert.Equal(OpCode.Error, x.Type));

        // A notification: xid -1, zxid -1, NodeDataChanged, SyncConnected, the path.
        var notification = frames.First(f => !f.ToServer && f.Frame.AsSpan(4, 4).SequenceEqual(new byte[] { 0xff, 0xff, 0xff, 0xff }));
        (header, response) = ResponseParser.Parse(notification.Frame.AsSpan(4), _ => null);
        Assert.Equal((Xids.Notification, -1L), (header.Xid, header.Zxid));
        Assert.Equal(new WatcherEvent(3, KeeperStates.SyncConnected, "/app"), response);
    }
}
