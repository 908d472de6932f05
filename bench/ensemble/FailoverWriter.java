import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * The writer of bench/failover.sh on ZooKeeper, the twin of bench/OrleansZk.FailoverBench: fills
 * /prefill with N small znodes (unless they are there), then sets /failover one write at a time
 * for ever, printing "ok ISSUED ACKED" (Unix milliseconds) for each acknowledged write and
 * "err ISSUED NOW WHAT" for each failed one. A failed write is retried after 5 ms, a lost session
 * is replaced by a new one.
 *
 * Arguments: -server host:port[,host:port...] [-prefill N] [-session-ms MS]
 */
public final class FailoverWriter {
    public static void main(String[] args) throws Exception {
        String server = null;
        int prefill = 100_000;
        int sessionMs = 10_000;
        for (int a = 0; a + 1 < args.length; a += 2) {
            switch (args[a]) {
                case "-server": server = args[a + 1]; break;
                case "-prefill": prefill = Integer.parseInt(args[a + 1]); break;
                case "-session-ms": sessionMs = Integer.parseInt(args[a + 1]); break;
                default: System.err.println("unknown argument " + args[a]); System.exit(2);
            }
        }
        if (server == null || args.length % 2 != 0) {
            System.err.println("usage: FailoverWriter -server host:port[,host:port...] [-prefill N] [-session-ms MS]");
            System.exit(2);
        }
        ZooKeeper zk = connect(server, sessionMs);
        prefill(zk, prefill);
        try {
            zk.create("/failover", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        } catch (KeeperException.NodeExistsException e) {
            // From an earlier run.
        }
        System.out.println("ready");
        System.out.flush();
        byte[] data = "x".getBytes(StandardCharsets.US_ASCII);
        while (true) {
            long issued = System.currentTimeMillis();
            try {
                zk.setData("/failover", data, -1);
                System.out.println("ok " + issued + " " + System.currentTimeMillis());
            } catch (KeeperException e) {
                System.out.println("err " + issued + " " + System.currentTimeMillis() + " " + e.code());
                if (e.code() == KeeperException.Code.SESSIONEXPIRED) {
                    zk.close();
                    zk = connect(server, sessionMs);
                }
                Thread.sleep(5);
            }
            System.out.flush();
        }
    }

    private static ZooKeeper connect(String server, int sessionMs) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(server, sessionMs, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
        });
        connected.await();
        return zk;
    }

    /** N creates, at most 1000 in flight (the .NET writer's window). */
    private static void prefill(ZooKeeper zk, int count) throws Exception {
        if (count == 0) return;
        try {
            zk.create("/prefill", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        } catch (KeeperException.NodeExistsException e) {
            // From an earlier run.
        }
        Stat stat = zk.exists("/prefill", false);
        if (stat.getNumChildren() >= count) return;
        byte[] payload = new byte[100];
        Semaphore window = new Semaphore(1000);
        AtomicReference<KeeperException.Code> failure = new AtomicReference<>();
        for (int i = 0; i < count; i++) {
            window.acquire();
            zk.create(String.format("/prefill/n%07d", i), payload, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT,
                (rc, path, ctx, name) -> {
                    KeeperException.Code code = KeeperException.Code.get(rc);
                    if (code != KeeperException.Code.OK && code != KeeperException.Code.NODEEXISTS) failure.set(code);
                    window.release();
                }, null);
        }
        window.acquire(1000);
        if (failure.get() != null) throw KeeperException.create(failure.get());
    }
}
