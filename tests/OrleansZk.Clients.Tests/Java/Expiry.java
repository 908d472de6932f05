import static org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooKeeper;

/**
 * Session expiry as the Java client sees it: a session cut off for longer than its timeout
 * expires on the server (its ephemerals go; other sessions' watches fire); when its client
 * reaches the server again it is told (Expired), and every later call fails with SessionExpired.
 */
final class Expiry {
    private Expiry() {
    }

    static void run() throws Exception {
        ZooKeeper observer = Harness.connect();
        Harness.Events events = new Harness.Events();
        String r = "/java-expiry";
        Harness.freshRoot(observer, r);

        Harness.States states = new Harness.States();
        ZooKeeper zk = Harness.connect(true, 2_000, states);
        Harness.log("negotiated timeout within what was asked:", zk.getSessionTimeout() <= 2_000 && zk.getSessionTimeout() > 0);
        zk.create(r + "/e", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        observer.exists(r + "/e", events.watcher("observer exists"));
        Harness.act("hold");
        states.waitFor(KeeperState.Disconnected);
        Harness.log("disconnected; the server expires the session:");
        events.expect(1);
        Harness.act("release");
        states.waitFor(KeeperState.Expired);
        Harness.log("the client is told: Expired; its state:", zk.getState());
        Harness.log("a call:", Harness.outcome(() -> zk.getData(r, false, null)));
        Harness.log("the ephemeral:", observer.exists(r + "/e", false));
        zk.close();

        observer.close();
    }
}
