using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace OrleansZk.Clients.Tests.Support;

/// <summary>
/// Whether a server serves ZooKeeper clients: a session opened on a new connection (a connect
/// request as a client sends it) and closed again at once (closeSession), ZooKeeper 3.8's jute
/// encoding by hand, big-endian and length-prefixed.
/// </summary>
public static class ZkSessionProbe
{
    /// <summary>A server that does not answer within this is taken as not serving yet.</summary>
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(2);

    private const int SessionTimeoutMs = 2000;
    private const int CloseSessionType = -11;

    /// <summary>True once 127.0.0.1:<paramref name="port"/> granted a session and answered its closeSession; false when it refused, closed, or did not answer in time.</summary>
    public static async Task<bool> OpensAsync(int port, CancellationToken cancel)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(AnswerTimeout);
        var ct = deadline.Token;
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port, ct);
            // ConnectRequest: protocolVersion, lastZxidSeen, timeOut, sessionId, passwd (16 zero bytes), readOnly.
            var connect = new byte[4 + 8 + 4 + 8 + 4 + 16 + 1];
            BinaryPrimitives.WriteInt32BigEndian(connect.AsSpan(12), SessionTimeoutMs);
            BinaryPrimitives.WriteInt32BigEndian(connect.AsSpan(24), 16);
            await SendFrameAsync(socket, connect, ct);
            // ConnectResponse: protocolVersion, timeOut, sessionId (0: refused), passwd, readOnly.
            var session = await ReceiveFrameAsync(socket, ct);
            if (session is null || session.Length < 16 || BinaryPrimitives.ReadInt64BigEndian(session.AsSpan(8)) == 0) return false;
            // RequestHeader: xid, type.
            var close = new byte[8];
            BinaryPrimitives.WriteInt32BigEndian(close, 1);
            BinaryPrimitives.WriteInt32BigEndian(close.AsSpan(4), CloseSessionType);
            await SendFrameAsync(socket, close, ct);
            // ReplyHeader: xid, zxid, err.
            var reply = await ReceiveFrameAsync(socket, ct);
            return reply is { Length: >= 16 } && BinaryPrimitives.ReadInt32BigEndian(reply) == 1 && BinaryPrimitives.ReadInt32BigEndian(reply.AsSpan(12)) == 0;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            return false;
        }
    }

    private static async Task SendFrameAsync(Socket socket, byte[] body, CancellationToken ct)
    {
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, body.Length);
        body.CopyTo(frame, 4);
        await socket.SendAsync(frame, SocketFlags.None, ct);
    }

    /// <summary>The next frame's body; null when the server closed the connection first.</summary>
    private static async Task<byte[]?> ReceiveFrameAsync(Socket socket, CancellationToken ct)
    {
        var length = new byte[4];
        if (!await ReceiveExactlyAsync(socket, length, ct)) return null;
        var body = new byte[BinaryPrimitives.ReadInt32BigEndian(length)];
        return await ReceiveExactlyAsync(socket, body, ct) ? body : null;
    }

    private static async Task<bool> ReceiveExactlyAsync(Socket socket, byte[] buffer, CancellationToken ct)
    {
        for (var read = 0; read < buffer.Length;)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, ct);
            if (n == 0) return false;
            read += n;
        }
        return true;
    }
}
