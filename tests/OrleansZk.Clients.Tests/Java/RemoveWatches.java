import static org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/**
 * removeWatches of one watcher (the client sends checkWatches) and of all (removeWatches), of
 * each kind (Data, Children, Any), the removal events each watcher gets, that removed watches
 * stay silent while others of the same path still fire, and NoWatcher for a watch that is not
 * there.
 */
final class RemoveWatches {
    private RemoveWatches() {
    }

    static void run() throws Exception {
        ZooKeeper zk = Harness.connect();
        ZooKeeper writer = Harness.connect();
        Harness.Events events = new Harness.Events();
        String r = "/java-remove";
        Harness.freshRoot(zk, r);
        String x = r + "/x";
        zk.create(x, null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);

        Harness.log("one watcher, one kind:");
        Watcher data = events.watcher("data");
        Watcher children = events.watcher("children");
        zk.getData(x, data, null);
        zk.getChildren(x, children);
        zk.removeWatches(x, data, Watcher.WatcherType.Data, false);
        events.expect(1);
        zk.removeWatches(x, children, Watcher.WatcherType.Children, false);
        events.expect(1);
        Harness.log("  set x, create a child (fire nothing):", Harness.stat(writer.setData(x, Harness.bytes("1"), -1)),
            writer.create(x + "/c1", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
        events.quiet(zk);

        Harness.log("one watcher, Any:");
        Watcher both = events.watcher("both");
        zk.getData(x, both, null);
        zk.getChildren(x, both);
        zk.removeWatches(x, both, Watcher.WatcherType.Any, false);
        events.expect(2, true);

        Harness.log("one of two watchers of a path:");
        Watcher kept = events.watcher("kept");
        Watcher dropped = events.watcher("dropped");
        zk.getData(x, kept, null);
        zk.getData(x, dropped, null);
        zk.removeWatches(x, dropped, Watcher.WatcherType.Data, false);
        events.expect(1);
        Harness.log("  set x:", Harness.stat(writer.setData(x, Harness.bytes("2"), -1)));
        events.expect(1);
        events.quiet(zk);

        Harness.log("all watchers of a kind (removeAllWatches):");
        zk.getData(x, events.watcher("first"), null);
        zk.getData(x, events.watcher("second"), null);
        zk.getChildren(x, events.watcher("third"));
        zk.removeAllWatches(x, Watcher.WatcherType.Data, false);
        events.expect(2, true);
        Harness.log("  set x (fires nothing), create a child (fires the child watch):",
            Harness.stat(writer.setData(x, Harness.bytes("3"), -1)), writer.create(x + "/c2", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
        events.expect(1);
        events.quiet(zk);

        Harness.log("an exists watch of a missing node:");
        Watcher absent = events.watcher("absent");
        zk.exists(r + "/y", absent);
        zk.removeWatches(r + "/y", absent, Watcher.WatcherType.Data, false);
        events.expect(1);
        Harness.log("  create y (fires nothing):", writer.create(r + "/y", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
        events.quiet(zk);

        Harness.log("NoWatcher:");
        Harness.log("  a watcher never set:", Harness.outcome(() -> {
            zk.removeWatches(x, events.watcher("never"), Watcher.WatcherType.Data, false);
            return "removed";
        }));
        Harness.log("  all of a path without watches:", Harness.outcome(() -> {
            zk.removeAllWatches(r + "/y", Watcher.WatcherType.Any, false);
            return "removed";
        }));
        Harness.log("  children of a path with a data watch only:", Harness.outcome(() -> {
            zk.getData(x, data, null);
            zk.removeWatches(x, data, Watcher.WatcherType.Children, false);
            return "removed";
        }));
        zk.removeWatches(x, data, Watcher.WatcherType.Data, false);
        events.expect(1);

        writer.close();
        zk.close();
    }
}
