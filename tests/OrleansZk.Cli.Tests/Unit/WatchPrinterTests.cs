using OrleansZk.Cli.Commands;
using OrleansZk.Cli.Output;
using OrleansZk.Client;
using OrleansZk.Core;

namespace OrleansZk.Cli.Tests.Unit;

/// <summary>zkCli's default watcher: how an event prints, printwatches, and addWatch's modes.</summary>
public sealed class WatchPrinterTests
{
    [Theory]
    [InlineData(WatchEventType.NodeCreated, "/a", "WatchedEvent state:SyncConnected type:NodeCreated path:/a")]
    [InlineData(WatchEventType.NodeDeleted, "/a/b", "WatchedEvent state:SyncConnected type:NodeDeleted path:/a/b")]
    [InlineData(WatchEventType.NodeDataChanged, "/", "WatchedEvent state:SyncConnected type:NodeDataChanged path:/")]
    [InlineData(WatchEventType.NodeChildrenChanged, "/a", "WatchedEvent state:SyncConnected type:NodeChildrenChanged path:/a")]
    [InlineData(WatchEventType.DataWatchRemoved, "/a", "WatchedEvent state:SyncConnected type:DataWatchRemoved path:/a")]
    [InlineData(WatchEventType.ChildWatchRemoved, "/a", "WatchedEvent state:SyncConnected type:ChildWatchRemoved path:/a")]
    [InlineData(WatchEventType.PersistentWatchRemoved, "/a", "WatchedEvent state:SyncConnected type:PersistentWatchRemoved path:/a")]
    [InlineData(WatchEventType.HistoryTrimmed, "/a", "WatchedEvent state:SyncConnected type:HistoryTrimmed path:/a")]
    public void Formats_an_event_as_ZooKeeper_3_8s_WatchedEvent(WatchEventType type, string path, string expected) =>
        Assert.Equal(expected, WatchPrinter.Format(new WatchedEvent(type, path, 7)));

    [Fact]
    public void Prints_an_event_as_zkCli_in_one_write_and_nothing_while_off()
    {
        var output = new CountingWriter();
        var printer = new WatchPrinter(output);

        printer.Watcher(new WatchedEvent(WatchEventType.NodeDataChanged, "/a", 3));
        printer.Enabled = false;
        printer.Watcher(new WatchedEvent(WatchEventType.NodeDeleted, "/a", 4));

        Assert.Equal("\nWATCHER::\n\nWatchedEvent state:SyncConnected type:NodeDataChanged path:/a\n", output.ToString());
        Assert.Equal(1, output.Writes);
    }

    [Fact]
    public void Hands_out_one_watcher_instance()
    {
        var printer = new WatchPrinter(TextWriter.Null);
        Assert.Same(printer.Watcher, printer.Watcher);
    }

    [Theory]
    [InlineData("PERSISTENT", AddWatchMode.Persistent)]
    [InlineData("persistent", AddWatchMode.Persistent)]
    [InlineData("Persistent_Recursive", AddWatchMode.PersistentRecursive)]
    [InlineData("PERSISTENT_RECURSIVE", AddWatchMode.PersistentRecursive)]
    [InlineData("STANDARD", null)]
    [InlineData("PERSISTENT ", null)]
    [InlineData("", null)]
    public void AddWatch_takes_a_mode_in_any_case(string text, AddWatchMode? expected) =>
        Assert.Equal(expected, AddWatchCommand.Mode(text));

    private sealed class CountingWriter : StringWriter
    {
        public CountingWriter() => NewLine = "\n";

        public int Writes { get; private set; }

        public override void Write(string? value)
        {
            Writes++;
            base.Write(value);
        }

        public override void Write(char value)
        {
            Writes++;
            base.Write(value);
        }
    }
}
