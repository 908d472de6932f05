import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.ZooKeeper;

/**
 * The session whose expiry {@code WatchBench -workloads expiry} times, in a process of its own so
 * that the benchmark can stop it (SIGSTOP) and with it every heartbeat.
 *
 * <p>Protocol on stdin / stdout, one line each: it connects and prints
 * {@code connected <session id hex> <negotiated timeout ms>}; on a line {@code go} it creates the
 * ephemeral node {@code path}, then does one more request (exists) that touches the session at the
 * server, and prints {@code ready <System.nanoTime() after that reply>}; then it waits for stdin to
 * close (it never returns: the benchmark kills it).
 */
public final class ExpiryChild {
    private ExpiryChild() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: ExpiryChild host:port timeout-ms path");
            System.exit(2);
        }
        String server = args[0];
        int timeoutMs = Integer.parseInt(args[1]);
        String path = args[2];
        ZooKeeper zk = WatchBench.connect(server, timeoutMs);
        System.out.println("connected " + Long.toHexString(zk.getSessionId()) + " " + zk.getSessionTimeout());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        if (!"go".equals(in.readLine())) {
            zk.close();
            return;
        }
        zk.create(path, new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        zk.exists(path, false);
        long touched = System.nanoTime();
        System.out.println("ready " + touched);
        System.out.flush();
        while (in.readLine() != null) {
            // Wait to be stopped, then killed.
        }
        zk.close();
    }
}
