import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.ZooKeeper;

/**
 * Fills a server with a tree for the memory comparison (bench/compare-memory.sh), with ZooKeeper's
 * own Java client, so both systems get the very same requests: /m, its P parents /m/0 .. /m/{P-1},
 * then N persistent znodes /m/{i mod P}/n{i:D7} with 32 bytes of data and the open ACL, created
 * asynchronously with at most 1,000 outstanding. Fails on any error. Prints one line:
 * FILL n=N parents=P seconds=S.
 * Arguments: -server host:port -n N [-parents P]
 */
public final class Fill {
    private static final int WINDOW = 1_000;

    public static void main(String[] args) throws Exception {
        String server = null;
        int n = 1_000_000;
        int parents = 10;
        for (int a = 0; a + 1 < args.length; a += 2) {
            switch (args[a]) {
                case "-server" -> server = args[a + 1];
                case "-n" -> n = Integer.parseInt(args[a + 1]);
                case "-parents" -> parents = Integer.parseInt(args[a + 1]);
                default -> throw new IllegalArgumentException("unknown argument " + args[a]);
            }
        }
        if (server == null) throw new IllegalArgumentException("usage: Fill -server host:port -n N [-parents P]");
        var connected = new CountDownLatch(1);
        var zk = new ZooKeeper(server, 30_000, e -> {
            if (e.getState() == KeeperState.SyncConnected) connected.countDown();
        });
        try {
            if (!connected.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("no session with " + server);
            zk.create("/m", new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            for (int p = 0; p < parents; p++) zk.create("/m/" + p, new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            var data = new byte[32];
            var window = new Semaphore(WINDOW);
            var failure = new AtomicReference<String>();
            var done = new AtomicInteger();
            long start = System.nanoTime();
            for (int i = 0; i < n && failure.get() == null; i++) {
                window.acquire();
                String path = String.format(Locale.ROOT, "/m/%d/n%07d", i % parents, i);
                zk.create(path, data, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, (rc, p, ctx, name) -> {
                    if (rc != KeeperException.Code.OK.intValue()) failure.compareAndSet(null, p + ": " + KeeperException.Code.get(rc));
                    done.incrementAndGet();
                    window.release();
                }, null);
            }
            window.acquire(WINDOW);
            if (failure.get() != null) throw new IllegalStateException("create failed: " + failure.get());
            System.out.printf(Locale.ROOT, "FILL n=%d parents=%d seconds=%.1f%n", done.get(), parents, (System.nanoTime() - start) / 1e9);
        } finally {
            zk.close();
        }
    }
}
