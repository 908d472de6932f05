import static org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE;

import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/**
 * addWatch: a PERSISTENT watch fires for its node's creation, data changes, child list changes
 * and deletion, again and again (not for grandchildren or children's data); a
 * PERSISTENT_RECURSIVE one fires for every node under it (created, changed, deleted), never with
 * NodeChildrenChanged; both on missing nodes; removing them (PersistentWatchRemoved, then silence).
 */
final class PersistentWatches {
    private PersistentWatches() {
    }

    static void run() throws Exception {
        ZooKeeper zk = Harness.connect();
        ZooKeeper writer = Harness.connect();
        Harness.Events events = new Harness.Events();
        String r = "/java-persistent";
        Harness.freshRoot(zk, r);
        String p = r + "/p";
        String t = r + "/t";

        Harness.log("PERSISTENT on a missing node:");
        Watcher persistent = events.watcher("persistent");
        zk.addWatch(p, persistent, AddWatchMode.PERSISTENT);
        Harness.log("  create:", writer.create(p, null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
        events.expect(1);
        for (int i = 0; i < 2; i++) {
            Harness.log("  set:", Harness.stat(writer.setData(p, Harness.bytes("v" + i), -1)));
            events.expect(1);
        }
        Harness.log("  create a child:", writer.create(p + "/c", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
        events.expect(1);
        Harness.log("  set the child, create a grandchild, set p's acl (fire nothing):",
            Harness.stat(writer.setData(p + "/c", Harness.bytes("x"), -1)),
            writer.create(p + "/c/g", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
            Harness.stat(writer.setACL(p, OPEN_ACL_UNSAFE, -1)));
        events.quiet(zk);
        Harness.log("  delete the grandchild, the child, then p:");
        writer.delete(p + "/c/g", -1);
        writer.delete(p + "/c", -1);
        writer.delete(p, -1);
        events.expect(2);
        Harness.log("  create p again:", writer.create(p, null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
        events.expect(1);

        Harness.log("PERSISTENT_RECURSIVE on a missing node:");
        Watcher recursive = events.watcher("recursive");
        zk.addWatch(t, recursive, AddWatchMode.PERSISTENT_RECURSIVE);
        Harness.log("  create t, t/a, t/a/b:");
        writer.create(t, null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        writer.create(t + "/a", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        writer.create(t + "/a/b", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        events.expect(3);
        Harness.log("  set t/a/b twice, set t:");
        writer.setData(t + "/a/b", Harness.bytes("1"), -1);
        writer.setData(t + "/a/b", Harness.bytes("2"), -1);
        writer.setData(t, Harness.bytes("3"), -1);
        events.expect(3);
        Harness.log("  an ephemeral under it, then its session closes:");
        ZooKeeper brief = Harness.connect();
        brief.create(t + "/a/e", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        brief.close();
        events.expect(2);
        Harness.log("  delete t/a/b, t/a:");
        writer.delete(t + "/a/b", -1);
        writer.delete(t + "/a", -1);
        events.expect(2);
        Harness.log("  a sibling with t's name as prefix (fires nothing):", writer.create(t + "x", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
        events.quiet(zk);

        Harness.log("both kinds on one node, one write:");
        Watcher second = events.watcher("second");
        zk.addWatch(t, second, AddWatchMode.PERSISTENT);
        Harness.log("  set t:", Harness.stat(writer.setData(t, Harness.bytes("4"), -1)));
        events.expect(2, true);

        Harness.log("removing them:");
        zk.removeWatches(p, persistent, Watcher.WatcherType.Any, false);
        events.expect(1);
        zk.removeWatches(t, recursive, Watcher.WatcherType.Any, false);
        events.expect(1);
        Harness.log("  set p, set t (only the second watcher of t fires):");
        writer.setData(p, Harness.bytes("after"), -1);
        writer.setData(t, Harness.bytes("after"), -1);
        events.expect(1);
        events.quiet(zk);
        Harness.log("  removing again:", Harness.outcome(() -> {
            zk.removeWatches(p, persistent, Watcher.WatcherType.Any, false);
            return "removed";
        }));

        writer.close();
        zk.close();
    }
}
