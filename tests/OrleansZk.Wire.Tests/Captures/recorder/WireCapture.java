// Captures the bytes a real ZooKeeper 3.8 Java client and a real ZooKeeper 3.8 server exchange
// (tests/OrleansZk.Wire.Tests/Captures/README.md). Usage: java -cp <zookeeper jars>:<classes> WireCapture OUTPUT.txt
// Starts a fresh standalone server in this JVM (127.0.0.1, a free port), a recording proxy in front
// of it, and runs a fixed scenario with the Java client through the proxy: one line per frame,
// "> hex" client to server, "< hex" server to client, "# step" before each step, "= connection N"
// when the client opens a new connection (the proxy drops the first one mid-session to make the
// client reconnect and send setWatches).

import java.io.*;
import java.net.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;
import java.util.concurrent.*;

import org.apache.zookeeper.*;
import org.apache.zookeeper.data.*;
import org.apache.zookeeper.server.*;

public final class WireCapture {
    private static final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private static final List<Socket> live = Collections.synchronizedList(new ArrayList<>());

    static void note(String step) { lines.add("# " + step); }

    public static void main(String[] args) throws Exception {
        System.setProperty("zookeeper.extendedTypesEnabled", "true");
        System.setProperty("zookeeper.admin.enableServer", "false");
        File dataDir = Files.createTempDirectory("zk-wire-capture-").toFile();
        ZooKeeperServer zks = new ZooKeeperServer(dataDir, dataDir, 2000);
        ServerCnxnFactory factory = ServerCnxnFactory.createFactory(new InetSocketAddress("127.0.0.1", 0), 100);
        factory.startup(zks);
        int serverPort = factory.getLocalPort();
        ServerSocket proxy = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread acceptor = new Thread(() -> accept(proxy, serverPort));
        acceptor.setDaemon(true);
        acceptor.start();
        try {
            run("127.0.0.1:" + proxy.getLocalPort());
        } finally {
            Thread.sleep(300); // let the proxy copy the last frames
            factory.shutdown();
            zks.shutdown();
        }
        Files.write(Path.of(args[0]), lines, StandardCharsets.UTF_8);
    }

    static void accept(ServerSocket proxy, int serverPort) {
        int n = 0;
        while (true) {
            try {
                Socket client = proxy.accept();
                Socket server = new Socket("127.0.0.1", serverPort);
                live.add(client);
                lines.add("= connection " + (++n));
                pump(client, server, ">");
                pump(server, client, "<");
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Copies frames (4-byte big-endian length + body) one way, recording each. */
    static void pump(Socket from, Socket to, String dir) {
        Thread t = new Thread(() -> {
            try {
                DataInputStream in = new DataInputStream(from.getInputStream());
                OutputStream out = to.getOutputStream();
                while (true) {
                    int len = in.readInt();
                    byte[] body = new byte[len];
                    in.readFully(body);
                    ByteArrayOutputStream frame = new ByteArrayOutputStream();
                    new DataOutputStream(frame).writeInt(len);
                    frame.write(body);
                    byte[] bytes = frame.toByteArray();
                    lines.add(dir + " " + hex(bytes));
                    out.write(bytes);
                    out.flush();
                }
            } catch (IOException e) {
                try { from.close(); } catch (IOException ignored) { }
                try { to.close(); } catch (IOException ignored) { }
            }
        });
        t.setDaemon(true);
        t.start();
    }

    static String hex(byte[] b) {
        StringBuilder s = new StringBuilder(b.length * 2);
        for (byte x : b) s.append(String.format("%02x", x));
        return s.toString();
    }

    static void run(String connect) throws Exception {
        BlockingQueue<WatchedEvent> events = new LinkedBlockingQueue<>();
        CountDownLatch connected = new CountDownLatch(1);
        Watcher watcher = e -> {
            if (e.getType() == Watcher.Event.EventType.None) {
                if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
                return;
            }
            events.add(e);
        };
        note("connect");
        ZooKeeper zk = new ZooKeeper(connect, 30000, watcher);
        if (!connected.await(20, TimeUnit.SECONDS)) throw new IllegalStateException("not connected");
        List<ACL> open = ZooDefs.Ids.OPEN_ACL_UNSAFE;

        note("create /app persistent");
        zk.create("/app", "v1".getBytes(StandardCharsets.UTF_8), open, CreateMode.PERSISTENT);
        note("create /app/seq- ephemeral sequential (create2)");
        zk.create("/app/seq-", new byte[0], open, CreateMode.EPHEMERAL_SEQUENTIAL, new Stat());
        note("create /box container");
        zk.create("/box", null, open, CreateMode.CONTAINER);
        note("create /ttl persistent with ttl 60000");
        zk.create("/ttl", "t".getBytes(StandardCharsets.UTF_8), open, CreateMode.PERSISTENT_WITH_TTL, new Stat(), 60000);
        note("create /app existing: NodeExists");
        try { zk.create("/app", null, open, CreateMode.PERSISTENT); } catch (KeeperException.NodeExistsException expected) { }
        note("getData /app watch");
        zk.getData("/app", true, new Stat());
        note("setData /app v2 (fires NodeDataChanged)");
        zk.setData("/app", "v2".getBytes(StandardCharsets.UTF_8), -1);
        events.poll(10, TimeUnit.SECONDS);
        note("exists /missing watch");
        zk.exists("/missing", true);
        note("exists /app");
        zk.exists("/app", false);
        note("getChildren /app watch");
        zk.getChildren("/app", true);
        note("getChildren2 /app");
        zk.getChildren("/app", false, new Stat());
        note("getAllChildrenNumber /");
        zk.getAllChildrenNumber("/");
        note("getEphemerals /app");
        zk.getEphemerals("/app");
        note("getACL /app");
        zk.getACL("/app", new Stat());
        note("setACL /ttl world:anyone:cdrwa");
        zk.setACL("/ttl", open, -1);
        note("setData /app bad version: BadVersion");
        try { zk.setData("/app", null, 42); } catch (KeeperException.BadVersionException expected) { }
        note("addAuth digest alice:secret");
        zk.addAuthInfo("digest", "alice:secret".getBytes(StandardCharsets.UTF_8));
        note("whoAmI");
        zk.whoAmI();
        note("sync /app");
        CountDownLatch synced = new CountDownLatch(1);
        zk.sync("/app", (rc, path, ctx) -> synced.countDown(), null);
        synced.await(10, TimeUnit.SECONDS);
        note("multi ok: create, setData, check, delete");
        zk.multi(Arrays.asList(
            Op.create("/m", new byte[] {1}, open, CreateMode.PERSISTENT),
            Op.setData("/m", new byte[] {2}, 0),
            Op.check("/m", 1),
            Op.create("/m/c", null, open, CreateMode.PERSISTENT)));
        note("multi failing: check bad version");
        try {
            zk.multi(Arrays.asList(Op.create("/n", null, open, CreateMode.PERSISTENT), Op.check("/m", 7), Op.delete("/m/c", -1)));
        } catch (KeeperException expected) { }
        note("multiRead getData getChildren missing");
        zk.multi(Arrays.asList(Op.getData("/m"), Op.getChildren("/m"), Op.getData("/nothing")));
        note("addWatch /app persistent recursive");
        zk.addWatch("/app", AddWatchMode.PERSISTENT_RECURSIVE);
        note("addWatch /m persistent");
        zk.addWatch("/m", AddWatchMode.PERSISTENT);
        note("create /app/child (fires the child watch and the recursive watch)");
        zk.create("/app/child", null, open, CreateMode.PERSISTENT);
        events.poll(10, TimeUnit.SECONDS);
        note("getData /box watch; exists /missing2 watch");
        zk.getData("/box", true, null);
        zk.exists("/missing2", true);

        note("connection dropped: the client reconnects with its session and sends setWatches");
        synchronized (live) { for (Socket s : live) s.close(); }
        long deadline = System.currentTimeMillis() + 20000;
        while (zk.getState() != ZooKeeper.States.CONNECTED || live.size() < 2) {
            if (System.currentTimeMillis() > deadline) throw new IllegalStateException("no reconnect");
            Thread.sleep(20);
        }
        zk.exists("/app", false);

        note("removeWatches /m any (all)");
        zk.removeAllWatches("/m", Watcher.WatcherType.Any, false);
        note("removeWatches /m again: NoWatcher (the client checks locally, sends nothing)");
        try { zk.removeAllWatches("/m", Watcher.WatcherType.Any, false); } catch (KeeperException.NoWatcherException expected) { }
        note("checkWatches: removeWatches of one watcher of /box data");
        Watcher one = e -> { };
        zk.getData("/m", one, null);
        zk.removeWatches("/m", one, Watcher.WatcherType.Data, false);
        note("delete /app/child; delete /ttl version 5: BadVersion");
        zk.delete("/app/child", -1);
        try { zk.delete("/ttl", 5); } catch (KeeperException.BadVersionException expected) { }
        note("getData /nope: NoNode");
        try { zk.getData("/nope", false, null); } catch (KeeperException.NoNodeException expected) { }
        note("addAuth bogus: AuthFailed and the server closes the connection");
        CountDownLatch failed = new CountDownLatch(1);
        ZooKeeper zk2 = new ZooKeeper(connect, 30000, e -> {
            if (e.getState() == Watcher.Event.KeeperState.AuthFailed) failed.countDown();
        });
        zk2.addAuthInfo("bogus", "x".getBytes(StandardCharsets.UTF_8));
        failed.await(10, TimeUnit.SECONDS);
        zk2.close();
        note("close");
        zk.close();
    }
}
