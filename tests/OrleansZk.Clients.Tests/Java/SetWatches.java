import static org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE;

import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooKeeper;

/**
 * A session resumes on a new connection, to the target's next server (the same one when it has
 * one), after changes it could not see; the Java client re-sets its watches with the last zxid
 * it saw — setWatches when it has only one-shot watches, setWatches2 when it has persistent ones —
 * and the server fires at once the watches whose nodes changed meanwhile (data: NodeDataChanged or
 * NodeDeleted; exists: NodeCreated; child: NodeChildrenChanged or NodeDeleted), keeps the others,
 * and re-adds persistent watches without events for what they missed (ZooKeeper 3.8's
 * DataTree.setWatches).
 */
final class SetWatches {
    private SetWatches() {
    }

    static void run() throws Exception {
        ZooKeeper writer = Harness.connect();
        Harness.Events events = new Harness.Events();
        Harness.States states = new Harness.States();
        ZooKeeper zk = Harness.connect(true, 10_000, states);
        long session = zk.getSessionId();
        String r = "/java-setwatches";
        Harness.freshRoot(writer, r);
        for (String node : new String[] {"data", "gone", "kids", "same", "kids-same", "p", "t"}) {
            writer.create(r + "/" + node, null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        }

        Harness.log("one-shot watches only (setWatches):");
        zk.getData(r + "/data", events.watcher("data"), null);
        zk.getData(r + "/gone", events.watcher("data"), null);
        zk.exists(r + "/new", events.watcher("exists"));
        zk.exists(r + "/never", events.watcher("exists"));
        zk.getChildren(r + "/kids", events.watcher("child"));
        zk.getData(r + "/same", events.watcher("data"), null);
        zk.getChildren(r + "/kids-same", events.watcher("child"));
        resumeAfter(zk, states, writer, r, () -> {
            writer.setData(r + "/data", Harness.bytes("1"), -1);
            writer.delete(r + "/gone", -1);
            writer.create(r + "/new", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            writer.create(r + "/kids/k", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        });
        Harness.log("  same session:", zk.getSessionId() == session);
        events.expect(4, true);
        events.quiet(zk);
        Harness.log("  the watches that had nothing to report are set again: set same, create kids-same/k, create never:");
        writer.setData(r + "/same", Harness.bytes("1"), -1);
        writer.create(r + "/kids-same/k", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        writer.create(r + "/never", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        events.expect(3);
        events.quiet(zk);

        Harness.log("with persistent watches (setWatches2):");
        zk.addWatch(r + "/p", events.watcher("persistent"), AddWatchMode.PERSISTENT);
        zk.addWatch(r + "/t", events.watcher("recursive"), AddWatchMode.PERSISTENT_RECURSIVE);
        zk.getData(r + "/data", events.watcher("data"), null);
        zk.getChildren(r + "/kids", events.watcher("child"));
        resumeAfter(zk, states, writer, r, () -> {
            writer.setData(r + "/p", Harness.bytes("missed"), -1);
            writer.create(r + "/t/missed", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            writer.setData(r + "/data", Harness.bytes("2"), -1);
            writer.delete(r + "/kids/k", -1);
        });
        Harness.log("  same session:", zk.getSessionId() == session);
        events.expect(2, true);
        events.quiet(zk);
        Harness.log("  the persistent watches are set again: set p, create t/later:");
        writer.setData(r + "/p", Harness.bytes("seen"), -1);
        writer.create(r + "/t/later", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        events.expect(2);
        events.quiet(zk);

        zk.close();
        writer.close();
    }

    interface Changes {
        void make() throws Exception;
    }

    /** Keeps zk away from the target while the writer makes changes, then lets it reconnect to the next server. */
    private static void resumeAfter(ZooKeeper zk, Harness.States states, ZooKeeper writer, String r, Changes changes) throws Exception {
        Harness.act("hold");
        states.waitFor(KeeperState.Disconnected);
        Harness.log("  disconnected; another session makes changes");
        changes.make();
        Harness.act("switch");
        Harness.act("release");
        states.waitFor(KeeperState.SyncConnected);
        Harness.log("  connected again");
    }
}
