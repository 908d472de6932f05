using OrleansZk.Testing.Transcripts;

namespace OrleansZk.Testing.Tests;

public sealed class TranscriptNormalizerTests
{
    [Fact]
    public void Drops_zkClis_banner_notice_and_connection_state_events()
    {
        const string zkCli = "Connecting to 127.0.0.1:2191\n\nWATCHER::\n\nWatchedEvent state:SyncConnected type:None path:null\n" +
                             "Welcome to ZooKeeper!\nJLine support is disabled\n[zookeeper]\n\nWATCHER::\n\nWatchedEvent state:Closed type:None path:null\n";
        Assert.Equal("Connecting to <server>\nWelcome to ZooKeeper!\n[zookeeper]\n", TranscriptNormalizer.Normalize(zkCli));
    }

    [Fact]
    public void Keeps_node_events_in_their_place()
    {
        const string zkCli = "x\n\nWATCHER::\n\nWatchedEvent state:SyncConnected type:NodeDataChanged path:/a\n" +
                             "\nWATCHER::\n\nWatchedEvent state:SyncConnected type:NodeChildrenChanged path:/\n[a]\n";
        Assert.Equal(zkCli, TranscriptNormalizer.Normalize(zkCli));
    }

    [Fact]
    public void Sorts_each_run_of_removal_events_and_nothing_else()
    {
        static string Event(string type, string path) => $"\nWATCHER::\n\nWatchedEvent state:SyncConnected type:{type} path:{path}\n";
        var zkCli = Event("NodeDeleted", "/b") + Event("NodeCreated", "/a") +
                    Event("PersistentWatchRemoved", "/a") + Event("DataWatchRemoved", "/a") + "z\n" +
                    Event("DataWatchRemoved", "/a") + Event("ChildWatchRemoved", "/a");
        var expected = Event("NodeDeleted", "/b") + Event("NodeCreated", "/a") +
                       Event("DataWatchRemoved", "/a") + Event("PersistentWatchRemoved", "/a") + "z\n" +
                       Event("ChildWatchRemoved", "/a") + Event("DataWatchRemoved", "/a");
        Assert.Equal(expected, TranscriptNormalizer.Normalize(zkCli));
    }

    [Fact]
    public void Numbers_zxids_and_sessions_by_first_appearance_and_hides_times()
    {
        const string text = "cZxid = 0x6\nctime = Thu Nov 26 03:35:49 UTC 2026\nmZxid = 0x0\npZxid = 0x9\ncZxid = 0x6\n" +
                            "ephemeralOwner = 0x100003a77bb0000\nephemeralOwner = 0x0\nmtime = Thu Jan 01 00:00:00 UTC 1970";
        Assert.Equal(
            "cZxid = <zxid 1>\nctime = <time>\nmZxid = 0x0\npZxid = <zxid 2>\ncZxid = <zxid 1>\n" +
            "ephemeralOwner = <session 1>\nephemeralOwner = 0x0\nmtime = Thu Jan 01 00:00:00 UTC 1970",
            TranscriptNormalizer.Normalize(text));
    }

    [Fact]
    public void Leaves_a_time_that_is_not_a_Java_date_for_the_comparison_to_show()
    {
        Assert.Equal("ctime = 2026-11-26T03:35:49Z", TranscriptNormalizer.Normalize("ctime = 2026-11-26T03:35:49Z"));
    }

    [Fact]
    public void Takes_events_apart_wherever_zkClis_threads_printed_them()
    {
        const string recorded = "Created /a\n\nWATCHER::\n\nWatchedEvent state:SyncConnected type:NodeDeleted path:/b\nx\n\n" +
                                "\nWATCHER::\n\nWatchedEvent state:SyncConnected type:None path:null\ncZxid = 0x5\n";
        // The event's two lines on either side of later output, the blank line of empty data kept.
        const string late = "Created /a\n\nWATCHER::\nx\n\n\nWatchedEvent state:SyncConnected type:NodeDeleted path:/b\n" +
                            "cZxid = 0x5\n\nWATCHER::\n\nWatchedEvent state:SyncConnected type:None path:null\n";
        var expected = ("Created /a\nx\n\ncZxid = <zxid 1>\n", "WatchedEvent state:SyncConnected type:NodeDeleted path:/b");
        Assert.Equal(expected, TranscriptNormalizer.NormalizeEventsApart(recorded));
        Assert.Equal(expected, TranscriptNormalizer.NormalizeEventsApart(late));
    }

    [Fact]
    public void Sorts_removal_events_of_one_run_even_when_output_came_between()
    {
        static string Event(string type) => $"\nWATCHER::\n\nWatchedEvent state:SyncConnected type:{type} path:/a\n";
        var split = Event("PersistentWatchRemoved") + "v\n" + Event("DataWatchRemoved") + Event("NodeCreated") + Event("ChildWatchRemoved");
        var (output, events) = TranscriptNormalizer.NormalizeEventsApart(split);
        Assert.Equal("v\n", output);
        Assert.Equal(
            "WatchedEvent state:SyncConnected type:DataWatchRemoved path:/a\nWatchedEvent state:SyncConnected type:PersistentWatchRemoved path:/a\n" +
            "WatchedEvent state:SyncConnected type:NodeCreated path:/a\nWatchedEvent state:SyncConnected type:ChildWatchRemoved path:/a",
            events);
    }
}
