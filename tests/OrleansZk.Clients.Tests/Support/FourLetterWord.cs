using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OrleansZk.Clients.Tests.Support;

/// <summary>ZooKeeper's four-letter words: the word sent on a new connection, the answer read until the server closes it.</summary>
public static class FourLetterWord
{
    /// <summary>A server that does not answer within this is taken as not answering (a starting one may hold the connection).</summary>
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The server's answer to <paramref name="word"/> on 127.0.0.1:<paramref name="port"/>; "" when
    /// nothing listens, the connection fails or no full answer comes within half a second.
    /// </summary>
    public static async Task<string> AskAsync(int port, string word, CancellationToken cancel)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(AnswerTimeout);
        var ct = deadline.Token;
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port, ct);
            await socket.SendAsync(Encoding.ASCII.GetBytes(word), SocketFlags.None, ct);
            var answer = new MemoryStream();
            var buffer = new byte[8192];
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, ct)) > 0) answer.Write(buffer, 0, n);
            return Encoding.UTF8.GetString(answer.ToArray());
        }
        catch (SocketException)
        {
            return "";
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            return "";
        }
    }
}
