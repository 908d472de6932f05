import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * What the Java client sections share: the log, the harness's actions, sessions, waits with
 * deadlines, and renderings that are the same from run to run (no zxid, session id or time is
 * printed: only how they relate). tests/OrleansZk.Clients.Tests/Support/ClientProcess.cs
 * describes the protocol with the harness.
 */
final class Harness {
    static final String SERVERS = System.getenv("ZK_SERVERS");
    static final String RELAY = System.getenv("ZK_RELAY");

    /** Every wait on a condition gives up after this (and fails the section). */
    static final long DEADLINE_MS = 20_000;

    /** Where Events.quiet creates its barrier nodes (no section watches there). */
    static final String BARRIERS = "/java-barriers";

    private static final BufferedReader STDIN = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

    private Harness() {
    }

    static void log(Object... parts) {
        StringBuilder line = new StringBuilder();
        for (Object part : parts) {
            if (line.length() > 0) line.append(' ');
            line.append(part);
        }
        System.out.println(line);
        System.out.flush();
    }

    /** Asks the harness for an action (cut, hold, release, switch, restart) and waits until it is done. */
    static void act(String action) throws Exception {
        System.out.println("@@ " + action);
        System.out.flush();
        String answer = STDIN.readLine();
        if (!"ok".equals(answer)) throw new IllegalStateException("the harness could not " + action + ": " + answer);
    }

    /** A connected session of the target (through the relay when asked); its connection states go to {@code states}. */
    static ZooKeeper connect(boolean relay, int timeoutMs, States states) throws Exception {
        ZooKeeper zk = new ZooKeeper(relay ? RELAY : SERVERS, timeoutMs, states);
        states.waitFor(Watcher.Event.KeeperState.SyncConnected);
        return zk;
    }

    static ZooKeeper connect() throws Exception {
        return connect(false, 10_000, new States());
    }

    interface Call {
        Object run() throws Exception;
    }

    /** The call's result, or the ZooKeeper error it threw as "ERR Name(code)". */
    static Object outcome(Call call) throws Exception {
        try {
            return call.run();
        } catch (KeeperException e) {
            return error(e.code());
        }
    }

    static String error(KeeperException.Code code) {
        return "ERR " + code.name() + "(" + code.intValue() + ")";
    }

    /** A stat without its zxids and times. owner: "none", "self" when {@code zk}'s session owns it, else "other". */
    static String stat(Stat s, ZooKeeper zk) {
        if (s == null) return "null";
        String owner = s.getEphemeralOwner() == 0 ? "none"
            : zk != null && s.getEphemeralOwner() == zk.getSessionId() ? "self" : "other";
        return String.format("{v=%d cv=%d av=%d owner=%s len=%d children=%d}",
            s.getVersion(), s.getCversion(), s.getAversion(), owner, s.getDataLength(), s.getNumChildren());
    }

    static String stat(Stat s) {
        return stat(s, null);
    }

    static List<String> sorted(List<String> items) {
        List<String> copy = new ArrayList<>(items);
        Collections.sort(copy);
        return copy;
    }

    /** Deletes path's subtree if a former run left it, and creates path. */
    static void freshRoot(ZooKeeper zk, String path) throws Exception {
        if (zk.exists(path, false) != null) deleteAll(zk, path);
        zk.create(path, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    }

    static void deleteAll(ZooKeeper zk, String path) throws Exception {
        for (String child : zk.getChildren(path, false)) deleteAll(zk, path + "/" + child);
        zk.delete(path, -1);
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] data) {
        return data == null ? "null" : "'" + new String(data, StandardCharsets.UTF_8) + "'";
    }

    /** A session's connection states (its default watcher), in order. */
    static final class States implements Watcher {
        private final BlockingQueue<Event.KeeperState> changes = new LinkedBlockingQueue<>();

        @Override
        public void process(org.apache.zookeeper.WatchedEvent event) {
            if (event.getType() == Event.EventType.None) changes.add(event.getState());
        }

        /** Returns once the session has gone through {@code state}; fails after the deadline. */
        void waitFor(Event.KeeperState state) throws InterruptedException {
            long end = System.currentTimeMillis() + DEADLINE_MS;
            while (true) {
                Event.KeeperState next = changes.poll(Math.max(1, end - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
                if (next == null) throw new AssertionError("the session did not become " + state + " within " + DEADLINE_MS + " ms");
                if (next == state) return;
            }
        }
    }

    /** Collects the events of the watchers it hands out, in the order the client delivers them (one thread). */
    static final class Events {
        private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();

        /** A watcher that records each node event as "name Type path" (connection states are not recorded). */
        Watcher watcher(String name) {
            return event -> {
                if (event.getType() != Watcher.Event.EventType.None || event.getPath() != null) {
                    queue.add(name + " " + event.getType() + " " + event.getPath());
                }
            };
        }

        String next() throws InterruptedException {
            String event = queue.poll(DEADLINE_MS, TimeUnit.MILLISECONDS);
            if (event == null) throw new AssertionError("no event within " + DEADLINE_MS + " ms");
            return event;
        }

        /** Logs the next n events (sorted when the client delivers them in no defined order). */
        void expect(int n, boolean sort) throws InterruptedException {
            List<String> got = new ArrayList<>();
            for (int i = 0; i < n; i++) got.add(next());
            if (sort) Collections.sort(got);
            for (String event : got) log("  event", event);
        }

        void expect(int n) throws InterruptedException {
            expect(n, false);
        }

        /**
         * Logs "  no other event" once every event the server sent zk before now has been delivered
         * and none is left over. Proof: an exists watch on a new node under BARRIERS, fired by zk's own
         * create — the server sends a session's events in order, and the client delivers them on one thread.
         */
        void quiet(ZooKeeper zk) throws Exception {
            String barrier = BARRIERS + "/" + UUID.randomUUID();
            if (zk.exists(BARRIERS, false) == null) {
                try {
                    zk.create(BARRIERS, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                } catch (KeeperException.NodeExistsException e) {
                    // Another session made it meanwhile.
                }
            }
            zk.exists(barrier, watcher("barrier"));
            zk.create(barrier, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            zk.delete(barrier, -1);
            List<String> left = new ArrayList<>();
            while (true) {
                String event = next();
                if (event.startsWith("barrier ")) break;
                left.add(event);
            }
            log(left.isEmpty() ? "  no other event" : "  UNEXPECTED events: " + String.join("; ", left));
        }
    }
}
