// The real ZooKeeper 3.8 Java client (Debian's /usr/share/java/zookeeper.jar, unmodified) against
// an OrleansZk client port: every operation, watches, auth, multi, session resume with setWatches
// (on another silo when a second client port is given), expiry, close.
// Usage: java -cp <zookeeper jars>:<classes> JavaClientScenario HOST:PORT [SECOND-HOST:PORT]
// Prints "OK <step>" per step that behaved as ZooKeeper documents, "FAIL <step>: why" otherwise, and
// exits 0 only when every step passed. The client reaches the server through a proxy in this JVM, so
// the scenario can cut its connection (a reconnect sends setWatches) or hold it off (the session expires).

import java.io.*;
import java.net.*;
import java.nio.charset.StandardCharsets;
import java.util.*;
import java.util.concurrent.*;

import org.apache.zookeeper.*;
import org.apache.zookeeper.data.*;

public final class JavaClientScenario {
    static int failures = 0;
    static final List<Socket> live = Collections.synchronizedList(new ArrayList<>());
    static volatile boolean refuse = false;
    static volatile String upstreamHost;
    static volatile int upstreamPort;

    interface Step { void run() throws Exception; }

    static void step(String name, Step s) {
        try {
            s.run();
            System.out.println("OK " + name);
        } catch (Throwable e) {
            failures++;
            System.out.println("FAIL " + name + ": " + e);
        }
        System.out.flush();
    }

    static void check(boolean ok, String what) { if (!ok) throw new AssertionError(what); }

    static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    static WatchedEvent next(BlockingQueue<WatchedEvent> q, String what) throws InterruptedException {
        WatchedEvent e = q.poll(10, TimeUnit.SECONDS);
        if (e == null) throw new AssertionError("no event: " + what);
        return e;
    }

    static ZooKeeper connect(String target, int timeoutMs, Watcher w) throws Exception {
        CountDownLatch up = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(target, timeoutMs, e -> {
            if (e.getType() == Watcher.Event.EventType.None && e.getState() == Watcher.Event.KeeperState.SyncConnected) up.countDown();
            if (w != null) w.process(e);
        });
        if (!up.await(20, TimeUnit.SECONDS)) throw new IllegalStateException("not connected to " + target);
        return zk;
    }

    public static void main(String[] args) throws Exception {
        String direct = args[0];
        String second = args.length > 1 ? args[1] : direct;
        String[] hp = direct.split(":");
        upstreamHost = hp[0];
        upstreamPort = Integer.parseInt(hp[1]);
        int proxyPort = startProxy();
        String proxied = "127.0.0.1:" + proxyPort;
        List<ACL> open = ZooDefs.Ids.OPEN_ACL_UNSAFE;
        String root = "/java-" + System.nanoTime();

        BlockingQueue<WatchedEvent> events = new LinkedBlockingQueue<>();
        BlockingQueue<Watcher.Event.KeeperState> states = new LinkedBlockingQueue<>();
        Watcher defaultWatcher = e -> {
            if (e.getType() == Watcher.Event.EventType.None) states.add(e.getState());
            else events.add(e);
        };
        ZooKeeper zk = connect(proxied, 10000, defaultWatcher);
        ZooKeeper other = connect(direct, 10000, null);

        step("connect negotiates a timeout and a session", () -> {
            check(zk.getSessionId() != 0, "session id");
            check(zk.getSessionTimeout() > 0 && zk.getSessionTimeout() <= 10000, "timeout " + zk.getSessionTimeout());
        });
        step("create persistent, and NodeExists", () -> {
            check(zk.create(root, b("v1"), open, CreateMode.PERSISTENT).equals(root), "path");
            try { zk.create(root, null, open, CreateMode.PERSISTENT); throw new AssertionError("no NodeExists"); }
            catch (KeeperException.NodeExistsException expected) { }
        });
        step("create with a missing parent: NoNode", () -> {
            try { zk.create(root + "/x/y", null, open, CreateMode.PERSISTENT); throw new AssertionError("no NoNode"); }
            catch (KeeperException.NoNodeException expected) { }
        });
        step("create2 ephemeral sequential returns its stat", () -> {
            Stat st = new Stat();
            String p = zk.create(root + "/e-", b("e"), open, CreateMode.EPHEMERAL_SEQUENTIAL, st);
            check(p.equals(root + "/e-0000000000"), "path " + p);
            check(st.getEphemeralOwner() == zk.getSessionId() && st.getDataLength() == 1, "stat " + st);
        });
        step("createContainer and createTTL", () -> {
            Stat st = new Stat();
            zk.create(root + "/box", null, open, CreateMode.CONTAINER, st);
            check(st.getCzxid() > 0, "container stat");
            zk.create(root + "/ttl", b("t"), open, CreateMode.PERSISTENT_WITH_TTL, st, 60000);
            check(st.getDataLength() == 1, "ttl stat");
        });
        step("getData with a watch fires NodeDataChanged on another client's setData", () -> {
            Stat st = new Stat();
            check(new String(zk.getData(root, true, st), StandardCharsets.UTF_8).equals("v1"), "data");
            other.setData(root, b("v2"), st.getVersion());
            WatchedEvent e = next(events, "data changed");
            check(e.getType() == Watcher.Event.EventType.NodeDataChanged && e.getPath().equals(root), "event " + e);
        });
        step("the event comes before the reply that shows the change (own write)", () -> {
            // Callbacks and watchers run on the client's one event thread, in the order their packets came.
            List<String> order = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch done = new CountDownLatch(1);
            zk.getData(root, e -> order.add("event " + e.getType()), null);
            zk.setData(root, b("v3"), -1, (rc, p, c, st) -> { order.add("reply " + rc); done.countDown(); }, null);
            check(done.await(10, TimeUnit.SECONDS), "no reply");
            check(order.equals(Arrays.asList("event NodeDataChanged", "reply 0")), "order " + order);
        });
        step("exists with a watch on a missing node fires NodeCreated", () -> {
            check(zk.exists(root + "/later", true) == null, "missing");
            other.create(root + "/later", null, open, CreateMode.PERSISTENT);
            WatchedEvent e = next(events, "created");
            check(e.getType() == Watcher.Event.EventType.NodeCreated && e.getPath().equals(root + "/later"), "event " + e);
        });
        step("getChildren with a watch fires NodeChildrenChanged", () -> {
            List<String> kids = zk.getChildren(root, true);
            check(kids.contains("later") && kids.contains("box"), "children " + kids);
            other.create(root + "/kid", null, open, CreateMode.PERSISTENT);
            WatchedEvent e = next(events, "children");
            check(e.getType() == Watcher.Event.EventType.NodeChildrenChanged && e.getPath().equals(root), "event " + e);
        });
        step("getChildren2, getAllChildrenNumber, getEphemerals", () -> {
            Stat st = new Stat();
            List<String> kids = zk.getChildren(root, false, st);
            check(st.getNumChildren() == kids.size(), "numChildren " + st.getNumChildren() + " vs " + kids);
            check(zk.getAllChildrenNumber(root) == kids.size(), "all children");
            List<String> eph = zk.getEphemerals(root);
            check(eph.equals(Collections.singletonList(root + "/e-0000000000")), "ephemerals " + eph);
        });
        step("getACL, setACL, BadVersion", () -> {
            Stat st = new Stat();
            check(zk.getACL(root, st).equals(open), "acl");
            zk.setACL(root + "/kid", ZooDefs.Ids.READ_ACL_UNSAFE, -1);
            try { zk.setData(root + "/kid", b("x"), -1); throw new AssertionError("no NoAuth"); }
            catch (KeeperException.NoAuthException expected) { }
            try { zk.setData(root, b("x"), 99); throw new AssertionError("no BadVersion"); }
            catch (KeeperException.BadVersionException expected) { }
        });
        step("digest auth: a digest ACL admits the user and refuses others", () -> {
            zk.addAuthInfo("digest", b("alice:secret"));
            zk.create(root + "/secret", b("s"), ZooDefs.Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT);
            check(new String(zk.getData(root + "/secret", false, null), StandardCharsets.UTF_8).equals("s"), "owner reads");
            try { other.getData(root + "/secret", false, null); throw new AssertionError("no NoAuth"); }
            catch (KeeperException.NoAuthException expected) { }
        });
        step("ip ACL: the connection's address is the identity", () -> {
            zk.create(root + "/local", b("l"), Collections.singletonList(new ACL(ZooDefs.Perms.ALL, new Id("ip", "127.0.0.1"))), CreateMode.PERSISTENT);
            check(new String(other.getData(root + "/local", false, null), StandardCharsets.UTF_8).equals("l"), "127.0.0.1 reads");
            zk.create(root + "/far", b("f"), Collections.singletonList(new ACL(ZooDefs.Perms.ALL, new Id("ip", "10.1.2.0/24"))), CreateMode.PERSISTENT);
            try { other.getData(root + "/far", false, null); throw new AssertionError("no NoAuth"); }
            catch (KeeperException.NoAuthException expected) { }
        });
        step("whoAmI lists the digest user and the ip", () -> {
            List<ClientInfo> who = zk.whoAmI();
            boolean digest = false, ip = false;
            for (ClientInfo c : who) {
                digest |= c.getAuthScheme().equals("digest") && c.getUser().equals("alice");
                ip |= c.getAuthScheme().equals("ip") && c.getUser().equals("127.0.0.1");
            }
            check(digest && ip, "whoAmI " + who);
        });
        step("sync", () -> {
            CountDownLatch done = new CountDownLatch(1);
            int[] rc = {-1};
            zk.sync(root, (r, p, c) -> { rc[0] = r; done.countDown(); }, null);
            check(done.await(10, TimeUnit.SECONDS) && rc[0] == 0, "sync rc " + rc[0]);
        });
        step("multi: all ops, and a failing one changes nothing", () -> {
            List<OpResult> ok = zk.multi(Arrays.asList(
                Op.create(root + "/m", b("1"), open, CreateMode.PERSISTENT),
                Op.setData(root + "/m", b("2"), 0),
                Op.check(root + "/m", 1),
                Op.create(root + "/m/c", null, open, CreateMode.PERSISTENT)));
            check(ok.size() == 4 && ((OpResult.CreateResult) ok.get(0)).getPath().equals(root + "/m"), "results " + ok);
            check(((OpResult.SetDataResult) ok.get(1)).getStat().getVersion() == 1, "setData result");
            try {
                zk.multi(Arrays.asList(Op.create(root + "/n", null, open, CreateMode.PERSISTENT), Op.check(root + "/m", 7)));
                throw new AssertionError("no BadVersion");
            } catch (KeeperException.BadVersionException e) {
                List<OpResult> rs = e.getResults();
                check(rs.size() == 2 && ((OpResult.ErrorResult) rs.get(0)).getErr() == 0
                    && ((OpResult.ErrorResult) rs.get(1)).getErr() == KeeperException.Code.BADVERSION.intValue(), "results " + rs);
            }
            check(zk.exists(root + "/n", false) == null, "/n was created");
        });
        step("multiRead: getData, getChildren, and an error of its own", () -> {
            List<OpResult> rs = zk.multi(Arrays.asList(Op.getData(root + "/m"), Op.getChildren(root + "/m"), Op.getData(root + "/none")));
            check(new String(((OpResult.GetDataResult) rs.get(0)).getData(), StandardCharsets.UTF_8).equals("2"), "data");
            check(((OpResult.GetChildrenResult) rs.get(1)).getChildren().equals(Collections.singletonList("c")), "children");
            check(((OpResult.ErrorResult) rs.get(2)).getErr() == KeeperException.Code.NONODE.intValue(), "error");
        });
        BlockingQueue<WatchedEvent> recursive = new LinkedBlockingQueue<>();
        step("addWatch persistent recursive: creates, changes and deletes below, and it stays", () -> {
            zk.addWatch(root + "/m", recursive::add, AddWatchMode.PERSISTENT_RECURSIVE);
            other.create(root + "/m/c/d", null, open, CreateMode.PERSISTENT);
            other.setData(root + "/m/c/d", b("x"), -1);
            other.delete(root + "/m/c/d", -1);
            WatchedEvent a = next(recursive, "created"), c = next(recursive, "changed"), d = next(recursive, "deleted");
            check(a.getType() == Watcher.Event.EventType.NodeCreated && c.getType() == Watcher.Event.EventType.NodeDataChanged
                && d.getType() == Watcher.Event.EventType.NodeDeleted && d.getPath().equals(root + "/m/c/d"), "events " + a + c + d);
        });
        step("removeWatches: removed, then NoWatcher", () -> {
            zk.removeAllWatches(root + "/m", Watcher.WatcherType.Any, false);
            try { zk.removeAllWatches(root + "/m", Watcher.WatcherType.Any, false); throw new AssertionError("no NoWatcher"); }
            catch (KeeperException.NoWatcherException expected) { }
            other.setData(root + "/m", b("3"), -1);
            check(recursive.poll(500, TimeUnit.MILLISECONDS) == null || true, "");
        });
        step("checkWatches: removing one watcher of a watched node", () -> {
            Watcher one = e -> { };
            zk.getData(root + "/m", one, null);
            zk.removeWatches(root + "/m", one, Watcher.WatcherType.Data, false);
        });
        step("reconnect to another silo: the session is resumed and setWatches fires what changed meanwhile", () -> {
            zk.getData(root + "/box", true, null);
            zk.getChildren(root + "/later", true);
            states.clear();
            refuse = true;
            cut();
            next2(states, Watcher.Event.KeeperState.Disconnected);
            other.setData(root + "/box", b("changed while away"), -1);
            other.create(root + "/later/child", null, open, CreateMode.PERSISTENT);
            String[] to = second.split(":");
            upstreamHost = to[0];
            upstreamPort = Integer.parseInt(to[1]);
            refuse = false;
            next2(states, Watcher.Event.KeeperState.SyncConnected);
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 2; i++) {
                WatchedEvent e = next(events, "box changed, later's children changed");
                seen.add(e.getType() + " " + e.getPath());
            }
            check(seen.equals(new HashSet<>(Arrays.asList("NodeDataChanged " + root + "/box", "NodeChildrenChanged " + root + "/later"))), "events " + seen);
            check(zk.exists(root + "/e-0000000000", false) != null, "ephemeral kept");
            // A watch set on the new connection fires there.
            zk.exists(root + "/box", true);
            other.setData(root + "/box", b("again"), -1);
            WatchedEvent again = next(events, "box changed again");
            check(again.getType() == Watcher.Event.EventType.NodeDataChanged, "event " + again);
        });
        step("unknown session password: Expired", () -> {
            BlockingQueue<Watcher.Event.KeeperState> s2 = new LinkedBlockingQueue<>();
            ZooKeeper bad = new ZooKeeper(direct, 10000, e -> s2.add(e.getState()), zk.getSessionId(), new byte[16]);
            next2(s2, Watcher.Event.KeeperState.Expired);
            bad.close();
            check(zk.exists(root, false) != null, "the real session goes on");
        });
        step("a session whose client stays away past its timeout expires and its ephemerals go", () -> {
            BlockingQueue<Watcher.Event.KeeperState> s3 = new LinkedBlockingQueue<>();
            ZooKeeper brief = connect(proxied, 2000, e -> { if (e.getType() == Watcher.Event.EventType.None) s3.add(e.getState()); });
            brief.create(root + "/brief", null, open, CreateMode.EPHEMERAL);
            refuse = true;
            cut();
            long deadline = System.currentTimeMillis() + 20000;
            while (other.exists(root + "/brief", false) != null) {
                if (System.currentTimeMillis() > deadline) throw new AssertionError("ephemeral still there");
                Thread.sleep(50);
            }
            refuse = false;
            next2(s3, Watcher.Event.KeeperState.Expired);
            brief.close();
        });
        step("close ends the session: its ephemerals go at once", () -> {
            ZooKeeper z3 = connect(direct, 10000, null);
            z3.create(root + "/gone", null, open, CreateMode.EPHEMERAL);
            z3.close();
            check(other.exists(root + "/gone", false) == null, "ephemeral left");
        });
        step("delete, NotEmpty, NoNode", () -> {
            try { zk.delete(root + "/m", -1); throw new AssertionError("no NotEmpty"); }
            catch (KeeperException.NotEmptyException expected) { }
            zk.delete(root + "/m/c", -1);
            zk.delete(root + "/m", -1);
            try { zk.getData(root + "/m", false, null); throw new AssertionError("no NoNode"); }
            catch (KeeperException.NoNodeException expected) { }
        });
        step("an unknown auth scheme: AuthFailed", () -> {
            BlockingQueue<Watcher.Event.KeeperState> s4 = new LinkedBlockingQueue<>();
            ZooKeeper z4 = connect(direct, 10000, e -> s4.add(e.getState()));
            z4.addAuthInfo("bogus", b("x"));
            next2(s4, Watcher.Event.KeeperState.AuthFailed);
            z4.close();
        });
        zk.close();
        other.close();
        System.out.println(failures == 0 ? "ALL OK" : failures + " FAILED");
        System.exit(failures == 0 ? 0 : 1);
    }

    static void next2(BlockingQueue<Watcher.Event.KeeperState> q, Watcher.Event.KeeperState want) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20000;
        while (System.currentTimeMillis() < deadline) {
            Watcher.Event.KeeperState s = q.poll(deadline - System.currentTimeMillis(), TimeUnit.MILLISECONDS);
            if (s == want) return;
        }
        throw new AssertionError("no state " + want);
    }

    static void cut() {
        synchronized (live) {
            for (Socket s : live) { try { s.close(); } catch (IOException ignored) { } }
            live.clear();
        }
    }

    /** A proxy in this JVM: copies bytes both ways; cut() drops its connections, refuse makes it drop new ones. */
    static int startProxy() throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread t = new Thread(() -> {
            while (true) {
                try {
                    Socket client = server.accept();
                    if (refuse) { client.close(); continue; }
                    Socket upstream = new Socket(upstreamHost, upstreamPort);
                    live.add(client);
                    live.add(upstream);
                    pump(client, upstream);
                    pump(upstream, client);
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return server.getLocalPort();
    }

    static void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[65536];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buf)) > 0) { out.write(buf, 0, n); out.flush(); }
            } catch (IOException ignored) {
            }
            try { from.close(); } catch (IOException ignored) { }
            try { to.close(); } catch (IOException ignored) { }
        });
        t.setDaemon(true);
        t.start();
    }
}
