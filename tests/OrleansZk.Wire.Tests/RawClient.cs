using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using OrleansZk.Core;
using OrleansZk.Wire.Jute;
using OrleansZk.Wire.Protocol;

namespace OrleansZk.Wire.Tests;

/// <summary>A bare client of the client port built on the protocol records: for the byte-level tests (faults, ordering, handshakes).</summary>
internal sealed class RawClient : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly Dictionary<int, OpCode> _ops = [];
    private int _xid;

    private RawClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public ConnectResponse? Session { get; private set; }

    public static async Task<RawClient> OpenAsync(IPEndPoint endPoint)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(endPoint);
        tcp.NoDelay = true;
        return new RawClient(tcp);
    }

    /// <summary>Opens a connection and a session (a new one, or <paramref name="sessionId"/> resumed).</summary>
    public static async Task<RawClient> ConnectAsync(IPEndPoint endPoint, int timeoutMs = 10_000, long sessionId = 0, byte[]? password = null, long lastZxid = 0)
    {
        var client = await OpenAsync(endPoint);
        var response = await client.HandshakeAsync(timeoutMs, sessionId, password, lastZxid);
        Assert.True(response is { SessionId: not 0 }, $"no session: {response}");
        return client;
    }

    /// <summary>Sends a connect request; the response, or null when the server closed the connection instead.</summary>
    public async Task<ConnectResponse?> HandshakeAsync(int timeoutMs = 10_000, long sessionId = 0, byte[]? password = null, long lastZxid = 0)
    {
        var w = new JuteWriter();
        new ConnectRequest(0, lastZxid, timeoutMs, sessionId, password ?? new byte[16], false).Write(w);
        await SendRawAsync(w.ToFrame());
        var body = await ReadFrameAsync();
        if (body is null) return null;
        var r = new JuteReader(body);
        return Session = ConnectResponse.Read(ref r);
    }

    public Task SendRawAsync(byte[] bytes) => _stream.WriteAsync(bytes).AsTask();

    /// <summary>Sends a request with the next xid (or <paramref name="xid"/>); returns the xid.</summary>
    public async Task<int> SendAsync(OpCode op, WireRequest request, int? xid = null)
    {
        var id = xid ?? ++_xid;
        _ops[id] = op;
        await SendRawAsync(Frame(id, op, request));
        return id;
    }

    public static byte[] Frame(int xid, OpCode op, WireRequest request)
    {
        var w = new JuteWriter();
        new RequestHeader(xid, op).Write(w);
        request.Write(w);
        return w.ToFrame();
    }

    /// <summary>The next frame's body; null when the server closed the connection.</summary>
    public async Task<byte[]?> ReadFrameAsync()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var prefix = new byte[4];
        if (!await FillAsync(prefix, deadline.Token)) return null;
        var body = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix)];
        return await FillAsync(body, deadline.Token) ? body : null;
    }

    /// <summary>The next reply or notification; null when the server closed the connection.</summary>
    public async Task<(ReplyHeader Header, WireResponse? Response)?> ReadReplyAsync()
    {
        var body = await ReadFrameAsync();
        return body is null ? null : ResponseParser.Parse(body, xid => _ops.TryGetValue(xid, out var op) ? op : null);
    }

    /// <summary>Sends a request and reads until its reply (notifications before it are collected).</summary>
    public async Task<(ReplyHeader Header, WireResponse? Response)> CallAsync(OpCode op, WireRequest request, List<WatcherEvent>? events = null)
    {
        var xid = await SendAsync(op, request);
        while (await ReadReplyAsync() is { } reply)
        {
            if (reply.Header.Xid == Xids.Notification) events?.Add((WatcherEvent)reply.Response!);
            else
            {
                Assert.Equal(xid, reply.Header.Xid);
                return reply;
            }
        }
        throw new InvalidOperationException($"the server closed the connection instead of answering {op}");
    }

    /// <summary>Whether the server closes the connection (reading and dropping any frames first) within the deadline.</summary>
    public async Task<bool> ClosedByServerAsync()
    {
        try
        {
            while (await ReadFrameAsync() is not null)
            {
            }
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Closes the TCP connection without a closeSession.</summary>
    public void Drop() => _tcp.Client.Close();

    private async Task<bool> FillAsync(byte[] buffer, CancellationToken ct)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            int n;
            try
            {
                n = await _stream.ReadAsync(buffer.AsMemory(read), ct);
            }
            catch (IOException)
            {
                return false;
            }
            if (n == 0) return false;
            read += n;
        }
        return true;
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }

    public static CreateWireRequest Create(string path, string data = "", int flags = 0) =>
        new(path, System.Text.Encoding.UTF8.GetBytes(data), [Acl.OpenUnsafe], flags);
}
