using OrleansZk.Client;

namespace OrleansZk.Cli.Output;

/// <summary>
/// zkCli's default watcher (<c>ZooKeeperMain.MyWatcher</c>), the one watcher behind every watch the
/// shell sets: it prints each event on standard output as zkCli does — an empty line,
/// <c>WATCHER::</c>, an empty line, then ZooKeeper 3.8's <c>WatchedEvent.toString</c>, e.g.
/// <c>WatchedEvent state:SyncConnected type:NodeDataChanged path:/a</c> — unless
/// <c>printwatches off</c>.
/// </summary>
/// <remarks>
/// The SDK calls <see cref="Watcher"/> one event at a time, on a thread of its own, before it hands
/// back the reply of the request that fired it; so printing at once puts an event before the output
/// of that request's command and of every later one, as in zkCli. Each event is one write on a
/// synchronized writer, so it never splits a line the shell is printing.
/// </remarks>
internal sealed class WatchPrinter
{
    private readonly TextWriter _output;
    private volatile bool _enabled = true;

    /// <param name="output">Standard output; written from the SDK's thread, so it must be synchronized.</param>
    public WatchPrinter(TextWriter output)
    {
        _output = output;
        // One delegate for every watch: the SDK then counts a node's watches of this shell as one
        // watcher, and delivers one event where ZooKeeper delivers one to zkCli's default watcher.
        Watcher = Print;
    }

    /// <summary>The shell's watcher, passed to every call that sets a watch; the same instance each time.</summary>
    public Action<WatchedEvent> Watcher { get; }

    /// <summary>Whether events are printed (<c>printwatches on|off</c>; on at start). Events go on firing either way.</summary>
    public bool Enabled
    {
        get => _enabled;
        set => _enabled = value;
    }

    /// <summary>
    /// ZooKeeper 3.8's <c>WatchedEvent.toString</c>. The state is always SyncConnected: zkCli prints
    /// another one with a node event only for a removal made while disconnected (<c>removewatches
    /// -l</c>), which the SDK does not tell apart. HistoryTrimmed, OrleansZk's own type, prints by
    /// its name.
    /// </summary>
    public static string Format(WatchedEvent e) => $"WatchedEvent state:SyncConnected type:{e.Type} path:{e.Path}";

    private void Print(WatchedEvent e)
    {
        if (!_enabled) return;
        var nl = _output.NewLine;
        _output.Write(nl + "WATCHER::" + nl + nl + Format(e) + nl);
    }
}
