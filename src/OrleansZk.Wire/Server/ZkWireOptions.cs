namespace OrleansZk.Wire.Server;

/// <summary>The client port's settings (the silo fills them in from its <c>OrleansZk</c> section).</summary>
public sealed class ZkWireOptions
{
    /// <summary>The address to listen on.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>The TCP port (ZooKeeper's clientPort); 0 picks a free one (see <see cref="ZkWireServer.LocalEndPoint"/>).</summary>
    public int Port { get; set; } = 2181;

    /// <summary>
    /// The largest frame accepted (ZooKeeper's jute.maxbuffer, which ZooKeeper 3.8's connection checks
    /// every frame's length against: 0xfffff by default). A longer or negative length closes the connection.
    /// </summary>
    public int MaxFrameBytes { get; set; } = 0xfffff;

    /// <summary>The four-letter words answered (ZooKeeper's 4lw.commands.whitelist), comma-separated, or "*".</summary>
    public string FourLetterWords { get; set; } = "srvr";

    /// <summary>Requests of one connection not yet answered beyond which it stops reading (backpressure on a client that does not read its replies).</summary>
    public int MaxOutstandingRequests { get; set; } = 1_000;

    /// <summary>Notifications of one connection waiting to be sent beyond which the connection is closed (its client resets its watches on reconnect).</summary>
    public int MaxQueuedNotifications { get; set; } = 10_000;

    /// <summary>How long one request may take before the connection is closed (the client then sees ConnectionLoss and reconnects).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether <paramref name="word"/> is enabled.</summary>
    public bool Allows(string word)
    {
        var words = FourLetterWords.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return words.Contains("*") || words.Contains(word);
    }
}
