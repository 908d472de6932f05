import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.ZooKeeper;

/**
 * Load generator for a ZooKeeper server, built on ZooKeeper's own Java client and its async API.
 * See README.md next to this file for the workloads and the output format.
 */
public final class ZkBench {
    private static final String SYSTEM = "zookeeper";
    private static final int DATA_BYTES = 25;
    private static final int PIPELINE_WINDOW = 10_000;
    private static final int[] MIX_CLIENTS = {1, 4, 16};
    private static final double MIX_GET_FRACTION = 0.9;
    private static final int SESSION_TIMEOUT_MS = 30_000;
    private static final int CONNECT_TIMEOUT_S = 30;
    private static final List<String> PHASES = List.of("create", "getData", "setData", "exists", "delete");

    private record Mode(String name, int window) {}

    private static final Mode SYNC = new Mode("sync", 1);
    private static final Mode PIPELINED = new Mode("pipelined", PIPELINE_WINDOW);

    /** Issues request {@code i}; the request's callback must call {@code done} with its result code. */
    private interface Op {
        void issue(int i, IntConsumer done);
    }

    /** Per-request latencies (ns) of one driven sequence and its wall time (ns). */
    private record Timing(long[] latencies, long elapsedNs) {}

    /** cpuUsPerOp: the server's CPU time (user + system) per request during the phase; negative when not measured. */
    private record Result(String workload, String mode, int clients, int n,
                          double opsPerSec, double p50Ms, double p99Ms, double cpuUsPerOp) {
        String key() {
            return workload + "/" + mode + "/" + clients;
        }

        String line(String stat) {
            String cpu = cpuUsPerOp < 0 ? "" : String.format(Locale.ROOT, " server_cpu_us_per_op=%.1f", cpuUsPerOp);
            return String.format(Locale.ROOT,
                    "RESULT system=%s workload=%s mode=%s clients=%d n=%d ops_per_s=%.0f p50_ms=%.3f p99_ms=%.3f%s %s",
                    SYSTEM, workload, mode, clients, n, opsPerSec, p50Ms, p99Ms, cpu, stat);
        }
    }

    private final String server;
    private final int n;
    private final int mixOps;
    private final long seed;
    private final boolean serverStats;
    private final long serverPid;
    private final byte[] data = new byte[DATA_BYTES];

    private ZkBench(String server, int n, int mixOps, long seed, boolean serverStats, long serverPid) {
        this.server = server;
        this.n = n;
        this.mixOps = mixOps;
        this.seed = seed;
        this.serverStats = serverStats;
        this.serverPid = serverPid;
        new Random(seed).nextBytes(data);
    }

    public static void main(String[] args) throws Exception {
        String server = "127.0.0.1:2181";
        int runs = 1;
        int n = 10_000;
        int mixOps = 20_000;
        long seed = 42;
        boolean serverStats = false;
        long serverPid = 0;
        for (int a = 0; a < args.length; a += 2) {
            if (a + 1 == args.length) {
                usage("missing value for " + args[a]);
            }
            String value = args[a + 1];
            switch (args[a]) {
                case "-server" -> server = value;
                case "-runs" -> runs = Integer.parseInt(value);
                case "-n" -> n = Integer.parseInt(value);
                case "-mix-ops" -> mixOps = Integer.parseInt(value);
                case "-seed" -> seed = Long.parseLong(value);
                case "-server-pid" -> serverPid = Long.parseLong(value);
                case "-server-stats" -> serverStats = switch (value) {
                    case "on" -> true;
                    case "off" -> false;
                    default -> {
                        usage("-server-stats takes on or off");
                        yield false;
                    }
                };
                default -> usage("unknown argument " + args[a]);
            }
        }
        if (runs < 1 || n < 1 || mixOps < MIX_CLIENTS[MIX_CLIENTS.length - 1]) {
            usage("need -runs >= 1, -n >= 1, -mix-ops >= " + MIX_CLIENTS[MIX_CLIENTS.length - 1]);
        }
        if (serverPid != 0 && !Files.isReadable(Path.of("/proc", Long.toString(serverPid), "stat"))) {
            usage("-server-pid " + serverPid + ": no such process on this machine");
        }
        new ZkBench(server, n, mixOps, seed, serverStats, serverPid).run(runs);
    }

    private static void usage(String problem) {
        System.err.println("ZkBench: " + problem);
        System.err.println("usage: ZkBench [-server host:port] [-runs N] [-n N] [-mix-ops N] [-seed S] [-server-stats on|off] [-server-pid PID]");
        System.exit(2);
    }

    private void run(int runs) throws Exception {
        System.out.printf(Locale.ROOT, "ZkBench: server=%s runs=%d n=%d mix_ops=%d seed=%d%n",
                server, runs, n, mixOps, seed);
        List<Result> all = new ArrayList<>();
        ZooKeeper zk = connect();
        try {
            System.out.println("warm-up (not measured)");
            warmUp(zk);
            for (int run = 1; run <= runs; run++) {
                System.out.println("run " + run + " of " + runs);
                List<Result> results = suite(zk, "stat=run run=" + run);
                printTable("run " + run, results);
                all.addAll(results);
            }
        } finally {
            zk.close();
        }
        List<Result> medians = medians(all);
        System.out.println();
        for (Result r : medians) {
            System.out.println(r.line("stat=median runs=" + runs));
        }
        printTable("medians over " + runs + " runs", medians);
    }

    /** Runs every phase once, pipelined, so both JVMs have compiled their hot paths. */
    private void warmUp(ZooKeeper zk) throws Exception {
        String parent = createParent(zk);
        String[] paths = paths(parent, n);
        for (String phase : PHASES) {
            drive(n, PIPELINE_WINDOW, op(phase, zk, paths));
        }
        zk.delete(parent, -1);
    }

    private List<Result> suite(ZooKeeper zk, String stat) throws Exception {
        List<Result> results = new ArrayList<>();
        String parent = createParent(zk);
        String[] paths = paths(parent, n);
        for (Mode mode : List.of(SYNC, PIPELINED)) {
            for (String phase : PHASES) {
                resetServerStats();
                long cpu = serverCpuMs();
                Timing timing = drive(n, mode.window(), op(phase, zk, paths));
                results.add(report(phase, mode.name(), 1, timing, serverCpuMs() - cpu, stat));
                printServerStats(phase, mode.name(), 1, stat);
            }
        }
        drive(n, PIPELINE_WINDOW, op("create", zk, paths));
        for (int clients : MIX_CLIENTS) {
            resetServerStats();
            long cpu = serverCpuMs();
            Timing timing = mix(clients, paths);
            results.add(report("mix", SYNC.name(), clients, timing, serverCpuMs() - cpu, stat));
            printServerStats("mix", SYNC.name(), clients, stat);
        }
        drive(n, PIPELINE_WINDOW, op("delete", zk, paths));
        zk.delete(parent, -1);
        return results;
    }

    /**
     * With -server-pid: the server process's CPU time so far (user + system, ms; /proc's clock ticks,
     * 10 ms on Linux as a rule, so short phases are coarse), or 0 without it.
     */
    private long serverCpuMs() throws IOException {
        if (serverPid == 0) {
            return 0;
        }
        String stat = Files.readString(Path.of("/proc", Long.toString(serverPid), "stat"));
        // After the command name in parentheses (which may hold spaces): state is field 3, utime 14, stime 15.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return ticks * 1000 / CLOCK_TICKS_PER_SECOND;
    }

    /** USER_HZ: the unit of /proc's CPU times, 100 on Linux everywhere this runs. */
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    /** With -server-stats on: srst before a phase, so the server's summaries cover that phase alone. */
    private void resetServerStats() throws IOException {
        if (serverStats) {
            fourLetterWord("srst");
        }
    }

    /**
     * With -server-stats on: the server's own view of the phase just run (mntr's readlatency and
     * updatelatency summaries, from a request's arrival to its answer; ZooKeeper counts whole ms).
     */
    private void printServerStats(String workload, String mode, int clients, String stat) throws IOException {
        if (!serverStats) {
            return;
        }
        Map<String, String> mntr = new LinkedHashMap<>();
        for (String line : fourLetterWord("mntr").split("\n")) {
            int tab = line.indexOf('\t');
            if (tab > 0) {
                mntr.put(line.substring(0, tab), line.substring(tab + 1));
            }
        }
        StringBuilder fields = new StringBuilder();
        for (String kind : List.of("read", "update")) {
            for (String key : List.of("cnt", "p50", "p99", "p999", "max")) {
                fields.append(' ').append(kind).append('_').append(key).append(key.equals("cnt") ? "=" : "_ms=")
                        .append(mntr.getOrDefault("zk_" + key + "_" + kind + "latency", "-"));
            }
        }
        System.out.printf(Locale.ROOT, "SERVER system=%s workload=%s mode=%s clients=%d%s %s%n",
                SYSTEM, workload, mode, clients, fields, stat);
    }

    /** A four-letter word's answer from the server (the first of a list); it closes the connection after it. */
    private String fourLetterWord(String word) throws IOException {
        String first = server.split(",")[0];
        int colon = first.lastIndexOf(':');
        try (Socket socket = new Socket(first.substring(0, colon), Integer.parseInt(first.substring(colon + 1)))) {
            socket.getOutputStream().write(word.getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private ZooKeeper connect() throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(server, SESSION_TIMEOUT_MS, event -> {
            if (event.getState() == KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        if (!connected.await(CONNECT_TIMEOUT_S, TimeUnit.SECONDS)) {
            zk.close();
            throw new IllegalStateException("no session with " + server + " within " + CONNECT_TIMEOUT_S + " s");
        }
        return zk;
    }

    private static String createParent(ZooKeeper zk) throws Exception {
        String name = "/bench-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        return zk.create(name, new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    }

    private static String[] paths(String parent, int count) {
        String[] paths = new String[count];
        for (int i = 0; i < count; i++) {
            paths[i] = String.format(Locale.ROOT, "%s/n%07d", parent, i);
        }
        return paths;
    }

    /** The request of a phase on {@code paths[i]}: 25-byte data, world ACL, persistent, no watches, any version. */
    private Op op(String phase, ZooKeeper zk, String[] paths) {
        return switch (phase) {
            case "create" -> (i, done) -> zk.create(paths[i], data, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT,
                    (rc, path, ctx, name) -> done.accept(rc), null);
            case "getData" -> (i, done) -> zk.getData(paths[i], false,
                    (rc, path, ctx, bytes, stat) -> done.accept(rc), null);
            case "setData" -> (i, done) -> zk.setData(paths[i], data, -1,
                    (rc, path, ctx, stat) -> done.accept(rc), null);
            case "exists" -> (i, done) -> zk.exists(paths[i], false,
                    (rc, path, ctx, stat) -> done.accept(rc), null);
            case "delete" -> (i, done) -> zk.delete(paths[i], -1,
                    (rc, path, ctx) -> done.accept(rc), null);
            default -> throw new IllegalArgumentException(phase);
        };
    }

    /**
     * Issues requests 0 … count-1 in order with at most {@code window} in flight. A request's
     * latency runs from just before it is handed to the client to the start of its callback.
     */
    private static Timing drive(int count, int window, Op op) throws InterruptedException, KeeperException {
        long[] latencies = new long[count];
        Semaphore inFlight = new Semaphore(window);
        AtomicInteger firstError = new AtomicInteger(KeeperException.Code.OK.intValue());
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            inFlight.acquire();
            int request = i;
            long issued = System.nanoTime();
            op.issue(request, rc -> {
                latencies[request] = System.nanoTime() - issued;
                if (rc != KeeperException.Code.OK.intValue()) {
                    firstError.compareAndSet(KeeperException.Code.OK.intValue(), rc);
                }
                inFlight.release();
            });
        }
        inFlight.acquire(window);
        long elapsed = System.nanoTime() - start;
        if (firstError.get() != KeeperException.Code.OK.intValue()) {
            throw KeeperException.create(KeeperException.Code.get(firstError.get()));
        }
        return new Timing(latencies, elapsed);
    }

    /**
     * {@code mixOps} requests in all, split evenly over {@code clients} sessions, each on its own
     * thread with one request in flight: getData with probability 0.9, else setData, on a key
     * drawn uniformly from {@code paths}. Client c draws from {@code new Random(seed + c)}.
     */
    private Timing mix(int clients, String[] paths) throws Exception {
        List<ZooKeeper> sessions = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(clients);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Timing>> timings = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                ZooKeeper zk = connect();
                sessions.add(zk);
                int count = mixOps / clients + (c < mixOps % clients ? 1 : 0);
                Op op = mixOp(zk, paths, new Random(seed + c), count);
                timings.add(threads.submit(() -> {
                    go.await();
                    return drive(count, 1, op);
                }));
            }
            long start = System.nanoTime();
            go.countDown();
            List<long[]> latencies = new ArrayList<>();
            for (Future<Timing> timing : timings) {
                latencies.add(timing.get().latencies());
            }
            long elapsed = System.nanoTime() - start;
            long[] merged = latencies.stream().flatMapToLong(Arrays::stream).toArray();
            return new Timing(merged, elapsed);
        } finally {
            threads.shutdown();
            for (ZooKeeper zk : sessions) {
                zk.close();
            }
        }
    }

    /** A client's mix, drawn before the measurement so the random generator is not timed. */
    private Op mixOp(ZooKeeper zk, String[] paths, Random random, int count) {
        int[] keys = new int[count];
        boolean[] gets = new boolean[count];
        for (int i = 0; i < count; i++) {
            keys[i] = random.nextInt(paths.length);
            gets[i] = random.nextDouble() < MIX_GET_FRACTION;
        }
        Op getData = op("getData", zk, paths);
        Op setData = op("setData", zk, paths);
        return (i, done) -> (gets[i] ? getData : setData).issue(keys[i], done);
    }

    private Result report(String workload, String mode, int clients, Timing timing, long serverCpuMs, String stat) {
        long[] sorted = timing.latencies().clone();
        Arrays.sort(sorted);
        Result result = new Result(workload, mode, clients, sorted.length,
                sorted.length * 1e9 / timing.elapsedNs(),
                percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6,
                serverPid == 0 ? -1 : serverCpuMs * 1000.0 / sorted.length);
        System.out.println(result.line(stat));
        return result;
    }

    /** Nearest-rank percentile of sorted values. */
    private static long percentile(long[] sorted, double q) {
        return sorted[(int) Math.ceil(q * sorted.length) - 1];
    }

    /** Per workload, the median across runs of each metric taken separately. */
    private static List<Result> medians(List<Result> all) {
        Map<String, List<Result>> byWorkload = new LinkedHashMap<>();
        for (Result r : all) {
            byWorkload.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r);
        }
        List<Result> medians = new ArrayList<>();
        for (List<Result> runs : byWorkload.values()) {
            Result first = runs.get(0);
            medians.add(new Result(first.workload(), first.mode(), first.clients(), first.n(),
                    median(runs.stream().mapToDouble(Result::opsPerSec).toArray()),
                    median(runs.stream().mapToDouble(Result::p50Ms).toArray()),
                    median(runs.stream().mapToDouble(Result::p99Ms).toArray()),
                    median(runs.stream().mapToDouble(Result::cpuUsPerOp).toArray())));
        }
        return medians;
    }

    private static double median(double[] values) {
        Arrays.sort(values);
        int mid = values.length / 2;
        return values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    private static void printTable(String title, List<Result> results) {
        System.out.println();
        System.out.println(SYSTEM + ", " + title + ":");
        System.out.printf(Locale.ROOT, "%-8s %-9s %7s %6s %8s %9s %9s %10s%n",
                "workload", "mode", "clients", "n", "ops/s", "p50 ms", "p99 ms", "cpu us/op");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "%-8s %-9s %7d %6d %8.0f %9.3f %9.3f %10s%n",
                    r.workload(), r.mode(), r.clients(), r.n(), r.opsPerSec(), r.p50Ms(), r.p99Ms(),
                    r.cpuUsPerOp() < 0 ? "-" : String.format(Locale.ROOT, "%.1f", r.cpuUsPerOp()));
        }
        System.out.println();
    }
}
