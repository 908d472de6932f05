import static org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * Create modes kazoo cannot send, through create2 (the stat comes back with the path):
 * persistent, ephemeral, sequential, container (createContainer) and TTL nodes (createTTL,
 * plain and sequential); the stat create2 returns is the node's; containers and TTL nodes under
 * an ephemeral; the target's reaper deleting a container whose last child went and a TTL node
 * past its TTL, and keeping a container that never had a child and a TTL node with a child.
 */
final class CreateModes {
    private CreateModes() {
    }

    static void run() throws Exception {
        ZooKeeper zk = Harness.connect();
        Harness.Events events = new Harness.Events();
        String r = "/java-create";
        Harness.freshRoot(zk, r);

        Harness.log("create2 in each mode:");
        CreateMode[] modes = {
            CreateMode.PERSISTENT, CreateMode.EPHEMERAL, CreateMode.PERSISTENT_SEQUENTIAL, CreateMode.EPHEMERAL_SEQUENTIAL,
            CreateMode.CONTAINER, CreateMode.PERSISTENT_WITH_TTL, CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL,
        };
        for (CreateMode mode : modes) {
            Stat stat = new Stat();
            long ttl = mode.isTTL() ? 60_000 : -1;
            String path = zk.create(r + "/" + mode.name().toLowerCase() + "-", Harness.bytes("d"), OPEN_ACL_UNSAFE, mode, stat, ttl);
            Stat now = zk.exists(path, false);
            Harness.log(" ", mode, "->", path, Harness.stat(stat, zk), "same as exists:", stat.equals(now),
                "czxid == mzxid == pzxid:", stat.getCzxid() == stat.getMzxid() && stat.getMzxid() == stat.getPzxid());
        }
        Harness.log("  NodeExists:", Harness.outcome(() -> zk.create(r + "/persistent-", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, new Stat())));
        Harness.log("  NodeExists, TTL:", Harness.outcome(() -> zk.create(r + "/persistent-", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, new Stat(), 1000)));
        Harness.log("  NoNode, container:", Harness.outcome(() -> zk.create(r + "/missing/c", null, OPEN_ACL_UNSAFE, CreateMode.CONTAINER, new Stat())));
        Harness.log("  NoNode, TTL:", Harness.outcome(() -> zk.create(r + "/missing/t", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, new Stat(), 1000)));
        Harness.log("  container under an ephemeral:", Harness.outcome(() -> zk.create(r + "/ephemeral-/c", null, OPEN_ACL_UNSAFE, CreateMode.CONTAINER, new Stat())));
        Harness.log("  TTL under an ephemeral:", Harness.outcome(() -> zk.create(r + "/ephemeral-/t", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, new Stat(), 1000)));
        Harness.log("  children of a container and of a TTL node:",
            zk.create(r + "/container-/child", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL),
            zk.create(r + "/persistent_with_ttl-/child", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
        Harness.log("  a persistent node's data, set and read:", Harness.stat(zk.setData(r + "/persistent-", Harness.bytes("x"), 0)),
            Harness.text(zk.getData(r + "/persistent-", false, null)));

        Harness.log("reaping:");
        zk.create(r + "/never-used", null, OPEN_ACL_UNSAFE, CreateMode.CONTAINER);
        zk.create(r + "/busy-ttl", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, new Stat(), 200);
        zk.create(r + "/busy-ttl/child", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.create(r + "/emptied", null, OPEN_ACL_UNSAFE, CreateMode.CONTAINER);
        zk.create(r + "/emptied/child", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.exists(r + "/emptied", events.watcher("exists emptied"));
        Harness.log("  delete the only child of a container:", r + "/emptied/child");
        zk.delete(r + "/emptied/child", -1);
        events.expect(1);
        zk.create(r + "/short-ttl", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, new Stat(), 200);
        zk.exists(r + "/short-ttl", events.watcher("exists short-ttl"));
        Harness.log("  a TTL node of 200 ms:", r + "/short-ttl");
        events.expect(1);
        Harness.log("  after both went: a container that never had a child:", Harness.stat(zk.exists(r + "/never-used", false)),
            "an expired TTL node with a child:", Harness.stat(zk.exists(r + "/busy-ttl", false)));
        events.quiet(zk);

        zk.close();
    }
}
