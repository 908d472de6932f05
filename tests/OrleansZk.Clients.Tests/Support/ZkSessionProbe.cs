using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using OrleansZk.Core;
using OrleansZk.Wire.Jute;
using OrleansZk.Wire.Protocol;

namespace OrleansZk.Clients.Tests.Support;

/// <summary>
/// Whether a server serves ZooKeeper clients: a session opened on a new connection (a connect
/// request as a client sends it) and closed again at once (closeSession), framed and encoded with
/// OrleansZk.Wire's records of zookeeper.jute.
/// </summary>
public static class ZkSessionProbe
{
    /// <summary>A server that does not answer within this is taken as not serving yet.</summary>
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(2);

    private const int SessionTimeoutMs = 2000;

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
            var connect = new JuteWriter();
            new ConnectRequest(0, 0, SessionTimeoutMs, 0, new byte[16], false).Write(connect);
            await socket.SendAsync(connect.ToFrame(), SocketFlags.None, ct);
            if (await ReceiveFrameAsync(socket, ct) is not { } session || !IsSession(session)) return false;
            var close = new JuteWriter();
            new RequestHeader(1, OpCode.CloseSession).Write(close);
            await socket.SendAsync(close.ToFrame(), SocketFlags.None, ct);
            return await ReceiveFrameAsync(socket, ct) is { } reply && IsOk(reply, xid: 1);
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

    private static bool IsSession(byte[] body)
    {
        var r = new JuteReader(body);
        return ConnectResponse.Read(ref r).SessionId != 0; // 0: refused
    }

    private static bool IsOk(byte[] body, int xid)
    {
        var r = new JuteReader(body);
        return ReplyHeader.Read(ref r) is var header && header.Xid == xid && header.Err == ZkErrorCode.Ok;
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
