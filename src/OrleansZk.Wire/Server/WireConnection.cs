using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using OrleansZk.Client;
using OrleansZk.Core;
using OrleansZk.Wire.Jute;
using OrleansZk.Wire.Protocol;

namespace OrleansZk.Wire.Server;

/// <summary>
/// One client connection of the client port: the connect handshake, then one <see cref="ZkClient"/>
/// over the silo's own grain factory carries the session — FIFO order, monotonic reads, writes to
/// the leader, watch events before the replies that reflect them — while this class turns frames
/// into its calls and its answers back into frames, in request order (<see cref="ReplySequencer"/>).
/// </summary>
/// <remarks>
/// <para>Closing: a TCP close (or anything this side gives up on) lets go of the session without
/// ending it (<see cref="ZkClient.DetachAsync"/>): it expires after its timeout unless the client
/// resumes it, here or on another silo. closeSession ends it. A frame that is too long, has a
/// negative length, is cut short or malformed, or names an op this server does not take closes this
/// connection only; such a frame was never acted on, and requests before it are answered first.</para>
/// <para>A session that hears nothing from its client for its whole timeout ends, as ZooKeeper expires it.</para>
/// </remarks>
internal sealed partial class WireConnection
{
    private readonly Socket _socket;
    private readonly ZkWireServer _server;
    private readonly ZkWireOptions _options;
    private readonly ILogger _log;
    private readonly ReplySequencer _sequencer;
    private readonly CancellationTokenSource _closing = new();
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private ZkClient? _client;
    private bool _sessionEnded;

    public WireConnection(Socket socket, ZkWireServer server, ZkWireOptions options, ILogger log)
    {
        _socket = socket;
        _server = server;
        _options = options;
        _log = log;
        _sequencer = new ReplySequencer(options.MaxQueuedNotifications);
        RemoteEndPoint = (IPEndPoint)socket.RemoteEndPoint!;
        var stream = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024));
        _output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024));
        Established = DateTimeOffset.UtcNow;
    }

    public IPEndPoint RemoteEndPoint { get; }

    public DateTimeOffset Established { get; }

    /// <summary>This connection's packet counts and latencies (cons).</summary>
    public WireStats Stats { get; } = new();

    /// <summary>The session (0 before the handshake).</summary>
    public long SessionId => _client?.SessionId ?? 0;

    public int SessionTimeoutMs => _client?.SessionTimeoutMs ?? 0;

    public long LastZxid => _client?.LastZxid ?? 0;

    public int Outstanding => _sequencer.Outstanding;

    /// <summary>The last request's op as ZooKeeper abbreviates it (cons), its xid, and when it was answered.</summary>
    public string LastOperation { get; private set; } = "NA";

    public int LastXid { get; private set; } = -1;

    public long LastResponseMs { get; private set; }

    /// <summary>Runs the connection to its end; never throws.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, _closing.Token);
        var ct = linked.Token;
        Task? writing = null;
        try
        {
            var first = await ReadFrameAsync(beforeConnect: true, silence: null, ct);
            if (first is null) return;
            if (first.Value.Word is { } word)
            {
                await AnswerFourLetterWordAsync(word, ct);
                return;
            }
            if (!await HandshakeAsync(first.Value.Body!, ct)) return;
            writing = WriteLoopAsync(ct);
            await ReadLoopAsync(ct);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The connection went (or the silo is stopping).
        }
        catch (Exception e)
        {
            _log.LogWarning(e, "Client port connection from {Remote} failed", RemoteEndPoint);
        }
        finally
        {
            _sequencer.Complete();
            if (writing != null) await WaitQuietly(writing, TimeSpan.FromSeconds(5));
            await ReleaseSessionAsync();
            await _input.CompleteAsync();
            await _output.CompleteAsync();
            _socket.Dispose();
        }
    }

    /// <summary>Closes the connection from outside (the session moved to another connection, the silo stops); the session is not ended.</summary>
    public void Abort() => _closing.Cancel();

    private async Task ReleaseSessionAsync()
    {
        if (_client is not { } client) return;
        _server.Unregister(this);
        try
        {
            if (!_sessionEnded) await client.DetachAsync();
        }
        catch (Exception e) when (e is ZkException or OperationCanceledException)
        {
            // Gone already.
        }
    }

    /// <summary>The connect request: a new session or a resumed one, answered with ZooKeeper's ConnectResponse; false when the connection is to close.</summary>
    private async Task<bool> HandshakeAsync(byte[] body, CancellationToken ct)
    {
        ConnectRequest request;
        try
        {
            var r = new JuteReader(body);
            request = ConnectRequest.Read(ref r);
        }
        catch (JuteException e)
        {
            _log.LogInformation("Client port: malformed connect request from {Remote}: {Problem}", RemoteEndPoint, e.Message);
            return false;
        }
        Stats.OnReceived();
        _server.Stats.OnReceived();
        if (request.LastZxidSeen > 0)
        {
            // As ZooKeeper: a client that has seen a newer zxid than this service has applied must try another server.
            var served = await _server.ServedZxidAsync(ct);
            if (served is not { } zxid || request.LastZxidSeen > zxid)
            {
                _log.LogInformation("Client port: refusing {Remote}: it has seen zxid 0x{Seen:x}, the service has applied 0x{Served:x}",
                    RemoteEndPoint, request.LastZxidSeen, served ?? -1);
                return false;
            }
        }
        var resume = request.SessionId != 0;
        ZkClient client;
        try
        {
            client = new ZkClient(_server.Cluster, new ZkClientOptions
            {
                SessionTimeoutMs = request.TimeOut,
                SessionId = request.SessionId,
                SessionPassword = resume ? request.Passwd : null,
                LastZxidSeen = request.LastZxidSeen,
                ClientAddress = RemoteEndPoint.Address.IsIPv4MappedToIPv6 ? RemoteEndPoint.Address.MapToIPv4().ToString() : RemoteEndPoint.Address.ToString(),
                RequestTimeout = _options.RequestTimeout,
            });
        }
        catch (BadArgumentsException)
        {
            // A resume without a usable password: the session cannot be this client's.
            await SendAsync(ConnectResponse.Expired(request.ReadOnly), ct);
            return false;
        }
        client.EventObserver = OnEvent;
        try
        {
            await client.ConnectAsync(ct);
        }
        catch (SessionExpiredException)
        {
            await SendAsync(ConnectResponse.Expired(request.ReadOnly), ct);
            await client.DetachAsync();
            return false;
        }
        catch (ZkException e)
        {
            _log.LogInformation("Client port: no session for {Remote}: {Problem}", RemoteEndPoint, e.Message);
            await client.DetachAsync();
            return false;
        }
        _client = client;
        // The session's older connection here closes (as ZooKeeper closes it when its client
        // reconnects) — only once this one has proven the password, unlike ZooKeeper 3.8, which
        // closes it before checking, so a wrong password cannot cut a live session's connection.
        if (resume) _server.CloseOtherConnections(request.SessionId, this);
        _server.Register(this);
        client.ConnectionStateChanged += (_, change) =>
        {
            // Contact with the leader lost, or the session gone: ZooKeeper's server drops the
            // connection; the client reconnects (here or elsewhere) and resumes or learns of the expiry.
            if (change.State is ZkClientState.Suspended or ZkClientState.Expired) Abort();
        };
        var readOnly = request.ReadOnly is null ? (bool?)null : false;
        await SendAsync(new ConnectResponse(0, client.SessionTimeoutMs, client.SessionId, client.SessionPassword, readOnly), ct);
        return true;
    }

    private async Task SendAsync(WireResponse response, CancellationToken ct)
    {
        var w = new JuteWriter();
        response.Write(w);
        await _output.WriteAsync(w.AsFrame(), ct);
        Stats.OnSent();
        _server.Stats.OnSent();
    }

    /// <summary>Reads requests until the client closes, something is wrong with its input, or it goes silent for its session timeout.</summary>
    private async Task ReadLoopAsync(CancellationToken ct)
    {
        var idle = TimeSpan.FromMilliseconds(Math.Max(1, _client!.SessionTimeoutMs));
        // One deadline for the connection, pushed back as each read starts (no timer made per frame).
        using var silence = CancellationTokenSource.CreateLinkedTokenSource(ct);
        while (!ct.IsCancellationRequested)
        {
            await _sequencer.WaitForRoomAsync(_options.MaxOutstandingRequests, ct);
            Frame? frame;
            try
            {
                silence.CancelAfter(idle);
                frame = await ReadFrameAsync(beforeConnect: false, silence, ct);
            }
            catch (TimeoutException)
            {
                // Nothing, not even a ping, for the whole session timeout: ZooKeeper expires the session.
                _log.LogInformation("Client port: session 0x{Session:x} of {Remote} silent for {Timeout} ms; ending it", SessionId, RemoteEndPoint, idle.TotalMilliseconds);
                await EndSessionQuietlyAsync();
                return;
            }
            if (frame is null) return;
            Stats.OnReceived();
            _server.Stats.OnReceived();
            if (!Dispatch(frame.Value.Body!)) return;
        }
    }

    private async Task EndSessionQuietlyAsync()
    {
        _sessionEnded = true;
        try
        {
            await _client!.CloseAsync();
        }
        catch (ZkException)
        {
            // It expires by itself then.
        }
    }

    /// <summary>
    /// Sends what the sequencer releases, in order, until it completes or the connection must close.
    /// It runs on whichever thread made the frames ready (<see cref="ReplySequencer"/>), which may be
    /// inside a grain's turn: its awaits must not capture that scheduler.
    /// </summary>
    private async Task WriteLoopAsync(CancellationToken ct)
    {
        try
        {
            while (await _sequencer.NextAsync(ct).ConfigureAwait(false) is { } batch)
            {
                var close = false;
                foreach (var reply in batch)
                {
                    var frame = reply.Encode(_client!.LastZxid);
                    _output.Write(frame);
                    Stats.OnSent();
                    _server.Stats.OnSent();
                    close |= reply.CloseAfter;
                }
                var flushed = await _output.FlushAsync(ct).ConfigureAwait(false);
                if (close || flushed.IsCompleted) break;
                if (_sequencer.Overflowed)
                {
                    _log.LogInformation("Client port: {Remote} does not read its notifications; closing the connection", RemoteEndPoint);
                    break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The connection went.
        }
        finally
        {
            Abort();
        }
    }

    /// <summary>A frame's body, or a four-letter word.</summary>
    private readonly record struct Frame(byte[]? Body, string? Word);

    /// <summary>
    /// The next frame; null at the end of the input (a frame cut short at the end counts as the end:
    /// nothing of it was acted on). Throws <see cref="InvalidDataException"/> for a negative or too long
    /// length and <see cref="TimeoutException"/> when <paramref name="silence"/> fired first (nothing came for the session timeout).
    /// </summary>
    private async Task<Frame?> ReadFrameAsync(bool beforeConnect, CancellationTokenSource? silence, CancellationToken ct)
    {
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _input.ReadAsync(silence?.Token ?? ct);
            }
            catch (OperationCanceledException) when (silence is { IsCancellationRequested: true } && !ct.IsCancellationRequested)
            {
                throw new TimeoutException();
            }
            var buffer = result.Buffer;
            var status = FrameDecoder.TryRead(buffer, _options.MaxFrameBytes, beforeConnect, out var body, out var consumed, out var length, out var word);
            switch (status)
            {
                case FrameStatus.Frame:
                    var bytes = body.ToArray();
                    _input.AdvanceTo(consumed);
                    return new Frame(bytes, null);
                case FrameStatus.FourLetterWord:
                    _input.AdvanceTo(consumed);
                    return new Frame(null, word);
                case FrameStatus.NegativeLength or FrameStatus.TooLong:
                    _log.LogInformation("Client port: closing {Remote}: frame length {Length} (the limit is {Max}, jute.maxbuffer)", RemoteEndPoint, length, _options.MaxFrameBytes);
                    _input.AdvanceTo(buffer.Start, buffer.End);
                    return null;
                default:
                    if (result.IsCompleted)
                    {
                        if (buffer.Length > 0) _log.LogInformation("Client port: {Remote} closed inside a frame ({Bytes} bytes of it); ignored", RemoteEndPoint, buffer.Length);
                        _input.AdvanceTo(buffer.End);
                        return null;
                    }
                    _input.AdvanceTo(buffer.Start, buffer.End);
                    break;
            }
        }
    }

    /// <summary>A four-letter word instead of a connect request: its answer in ASCII, then the connection closes (as ZooKeeper).</summary>
    private async Task AnswerFourLetterWordAsync(string word, CancellationToken ct)
    {
        var text = await new FourLetterWordAnswers(_server).AnswerAsync(word, ct);
        await _output.WriteAsync(System.Text.Encoding.ASCII.GetBytes(text), ct);
    }

    private static async Task WaitQuietly(Task task, TimeSpan limit)
    {
        try
        {
            await task.WaitAsync(limit);
        }
        catch (Exception)
        {
            // Ending anyway.
        }
    }
}
