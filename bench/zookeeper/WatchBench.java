import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * Watch and session-expiry benchmark for a ZooKeeper server: the latency of one watch event, the
 * time until the last of many watching sessions has its event, and how late an abandoned session
 * expires. See README.md next to this file for what each workload does and the output format.
 */
public final class WatchBench {
    private static final String SYSTEM = "zookeeper";
    private static final int DATA_BYTES = 25;
    private static final int SESSION_TIMEOUT_MS = 30_000;
    private static final int CONNECT_TIMEOUT_S = 30;
    private static final long EVENT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long FANOUT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(120);
    private static final Set<String> WORKLOADS = Set.of("latency", "fanout", "expiry");

    /** Nearest-rank p50 and p99, min and max of n samples, in ms. */
    private record Stats(int n, double p50, double p99, double min, double max) {
        static Stats of(double[] samples) {
            double[] s = samples.clone();
            Arrays.sort(s);
            return new Stats(s.length, percentile(s, 0.5), percentile(s, 0.99), s[0], s[s.length - 1]);
        }
    }

    /** One measured configuration: its statistics, and its samples in ms (null for a line of medians). */
    private record Result(String workload, String kind, int sessions, Stats stats, double[] samplesMs) {
        Result(String workload, String kind, int sessions, double[] samplesMs) {
            this(workload, kind, sessions, Stats.of(samplesMs), samplesMs);
        }

        String key() {
            return workload + "/" + kind + "/" + sessions;
        }

        String line(String stat) {
            return String.format(Locale.ROOT,
                    "RESULT system=%s workload=%s kind=%s sessions=%d n=%d p50_ms=%.3f p99_ms=%.3f min_ms=%.3f max_ms=%.3f %s",
                    SYSTEM, workload, kind, sessions, stats.n(), stats.p50(), stats.p99(), stats.min(), stats.max(), stat);
        }
    }

    private final String server;
    private final Set<String> workloads;
    private final int iterations;
    private final int warmup;
    private final int[] fanout;
    private final int reps;
    private final String watchersKind;
    private final int expirySessions;
    private final int timeoutMs;
    private final int tickMs;
    private final Random random;
    private final byte[] data = new byte[DATA_BYTES];

    private WatchBench(String server, Set<String> workloads, int iterations, int warmup, int[] fanout, int reps,
                       String watchersKind, int expirySessions, int timeoutMs, int tickMs, long seed) {
        this.server = server;
        this.workloads = workloads;
        this.iterations = iterations;
        this.warmup = warmup;
        this.fanout = fanout;
        this.reps = reps;
        this.watchersKind = watchersKind;
        this.expirySessions = expirySessions;
        this.timeoutMs = timeoutMs;
        this.tickMs = tickMs;
        this.random = new Random(seed);
        new Random(seed).nextBytes(data);
    }

    public static void main(String[] args) throws Exception {
        String server = "127.0.0.1:2181";
        int runs = 1;
        Set<String> workloads = WORKLOADS;
        int iterations = 2_000;
        int warmup = 500;
        int[] fanout = {1_000, 10_000};
        int reps = 5;
        String watchers = "raw";
        int expirySessions = 10;
        int timeoutMs = 4_000;
        int tickMs = 2_000;
        long seed = 42;
        for (int a = 0; a < args.length; a += 2) {
            if (a + 1 == args.length) {
                usage("missing value for " + args[a]);
            }
            String value = args[a + 1];
            switch (args[a]) {
                case "-server" -> server = value;
                case "-runs" -> runs = Integer.parseInt(value);
                case "-workloads" -> workloads = Set.of(value.split(","));
                case "-iterations" -> iterations = Integer.parseInt(value);
                case "-warmup" -> warmup = Integer.parseInt(value);
                case "-fanout" -> fanout = Arrays.stream(value.split(",")).mapToInt(Integer::parseInt).toArray();
                case "-reps" -> reps = Integer.parseInt(value);
                case "-watchers" -> watchers = value;
                case "-expiry-sessions" -> expirySessions = Integer.parseInt(value);
                case "-timeout-ms" -> timeoutMs = Integer.parseInt(value);
                case "-tick-ms" -> tickMs = Integer.parseInt(value);
                case "-seed" -> seed = Long.parseLong(value);
                default -> usage("unknown argument " + args[a]);
            }
        }
        if (!WORKLOADS.containsAll(workloads)) {
            usage("-workloads takes a comma-separated subset of latency,fanout,expiry");
        }
        if (!watchers.equals("raw") && !watchers.equals("java")) {
            usage("-watchers is raw or java");
        }
        if (runs < 1 || iterations < 1 || warmup < 0 || reps < 1 || expirySessions < 1 || timeoutMs < 1 || tickMs < 1
                || Arrays.stream(fanout).anyMatch(c -> c < 1)) {
            usage("counts must be positive");
        }
        new WatchBench(server, workloads, iterations, warmup, fanout, reps, watchers, expirySessions, timeoutMs, tickMs, seed).run(runs);
        // Stray non-daemon threads (a child's pipe reader) must not keep the JVM alive.
        System.exit(0);
    }

    private static void usage(String problem) {
        System.err.println("WatchBench: " + problem);
        System.err.println("usage: WatchBench [-server host:port] [-runs N] [-workloads latency,fanout,expiry] [-iterations N] [-warmup N]");
        System.err.println("                  [-fanout N,N] [-reps N] [-watchers raw|java] [-expiry-sessions N] [-timeout-ms T] [-tick-ms T] [-seed S]");
        System.exit(2);
    }

    private void run(int runs) throws Exception {
        System.out.printf(Locale.ROOT,
                "WatchBench: server=%s runs=%d workloads=%s iterations=%d warmup=%d fanout=%s reps=%d watchers=%s expiry_sessions=%d timeout_ms=%d tick_ms=%d%n",
                server, runs, String.join(",", new java.util.TreeSet<>(workloads)), iterations, warmup, Arrays.toString(fanout),
                reps, watchersKind, expirySessions, timeoutMs, tickMs);
        List<Result> all = new ArrayList<>();
        ZooKeeper writer = connect(server, SESSION_TIMEOUT_MS);
        String parent = writer.create("/watch-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()),
                new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        try {
            String node = writer.create(parent + "/latency", data, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            String fanNode = writer.create(parent + "/fanout", data, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            if (workloads.contains("latency") && warmup > 0) {
                System.out.println("warm-up (not measured)");
                latency(writer, node, false, warmup);
                latency(writer, node, true, warmup);
            }
            for (int run = 1; run <= runs; run++) {
                System.out.println("run " + run + " of " + runs);
                String stat = "stat=run run=" + run;
                List<Result> results = new ArrayList<>();
                if (workloads.contains("latency")) {
                    results.add(report(new Result("latency", "oneshot", 1, latency(writer, node, false, iterations)), stat));
                    results.add(report(new Result("latency", "persistent", 1, latency(writer, node, true, iterations)), stat));
                }
                if (workloads.contains("fanout")) {
                    for (int count : fanout) {
                        for (Result r : fanout(writer, fanNode, count)) {
                            results.add(report(r, stat));
                        }
                    }
                }
                if (workloads.contains("expiry")) {
                    results.add(report(expiry(parent, run), stat));
                }
                printTable("run " + run, results);
                all.addAll(results);
            }
        } finally {
            for (String child : writer.getChildren(parent, false)) {
                writer.delete(parent + "/" + child, -1);
            }
            writer.delete(parent, -1);
            writer.close();
        }
        System.out.println();
        List<Result> medians = medians(all);
        for (Result r : medians) {
            System.out.println(r.line("stat=median runs=" + runs));
        }
        List<Result> pooled = pooled(all);
        for (Result r : pooled) {
            System.out.println(r.line("stat=pooled runs=" + runs));
        }
        printTable("medians over " + runs + " runs (of each statistic)", medians);
        printTable("all " + runs + " runs' samples pooled", pooled);
    }

    static ZooKeeper connect(String server, int sessionTimeoutMs) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(server, sessionTimeoutMs, event -> {
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

    /**
     * {@code count} sequential iterations: the writer session sets {@code node}'s data, the watcher
     * session's watch fires; the sample is the time from just before the setData call to the
     * start of the watcher's callback. An iteration ends when both the event and the setData reply
     * are in. One-shot: the watcher re-arms with getData(watch) before each iteration (not timed);
     * persistent: one addWatch(PERSISTENT) for all iterations. The watcher session is opened for
     * these iterations and closed after them (ZooKeeper 3.8 cannot remove a persistent watch alone).
     */
    private double[] latency(ZooKeeper writer, String node, boolean persistent, int count) throws Exception {
        ZooKeeper watcherSession = connect(server, SESSION_TIMEOUT_MS);
        try {
            return latency(writer, watcherSession, node, persistent, count);
        } finally {
            watcherSession.close();
        }
    }

    private double[] latency(ZooKeeper writer, ZooKeeper watcherSession, String node, boolean persistent, int count) throws Exception {
        BlockingQueue<Long> events = new ArrayBlockingQueue<>(16);
        AtomicInteger unexpected = new AtomicInteger();
        Watcher watcher = (WatchedEvent event) -> {
            long now = System.nanoTime();
            if (event.getType() == EventType.NodeDataChanged && node.equals(event.getPath())) {
                events.add(now);
            } else if (event.getType() != EventType.None && event.getType() != EventType.PersistentWatchRemoved) {
                unexpected.incrementAndGet();
            }
        };
        if (persistent) {
            watcherSession.addWatch(node, watcher, AddWatchMode.PERSISTENT);
        }
        double[] samples = new double[count];
        double[] replies = new double[count];
        for (int i = 0; i < count; i++) {
            if (!persistent) {
                watcherSession.getData(node, watcher, null);
            }
            CountDownLatch replied = new CountDownLatch(1);
            AtomicInteger rc = new AtomicInteger();
            long[] replyNs = new long[1];
            long start = System.nanoTime();
            writer.setData(node, data, -1, (code, path, ctx, stat) -> {
                replyNs[0] = System.nanoTime();
                rc.set(code);
                replied.countDown();
            }, null);
            Long at = events.poll(EVENT_TIMEOUT_NS, TimeUnit.NANOSECONDS);
            if (at == null) {
                throw new IllegalStateException("no watch event within 30 s at iteration " + i);
            }
            samples[i] = (at - start) / 1e6;
            if (!replied.await(CONNECT_TIMEOUT_S, TimeUnit.SECONDS) || rc.get() != KeeperException.Code.OK.intValue()) {
                throw new IllegalStateException("setData failed or hung: rc " + rc.get());
            }
            replies[i] = (replyNs[0] - start) / 1e6;
        }
        Stats reply = Stats.of(replies);
        System.out.printf(Locale.ROOT, "INFO latency kind=%s n=%d setdata_reply_p50_ms=%.3f setdata_reply_p99_ms=%.3f%n",
                persistent ? "persistent" : "oneshot", count, reply.p50(), reply.p99());
        if (unexpected.get() > 0 || !events.isEmpty()) {
            throw new IllegalStateException(unexpected.get() + " unexpected events, " + events.size() + " extra NodeDataChanged");
        }
        return samples;
    }

    /**
     * {@code count} watching sessions on {@code node}; per repetition one setData, the sample
     * being the time from just before the call until the last session has read its event.
     * Repetition 0 is a warm-up and not counted. One-shot watches first (getData re-arms them
     * before every repetition, not timed), then persistent ones (one addWatch per session).
     */
    private List<Result> fanout(ZooKeeper writer, String node, int count) throws Exception {
        List<Result> results = new ArrayList<>();
        try (Watchers watchers = watchersKind.equals("raw")
                ? new RawWatchers(server, SESSION_TIMEOUT_MS) : new JavaWatchers(server, SESSION_TIMEOUT_MS)) {
            long start = System.nanoTime();
            watchers.open(count);
            System.out.printf(Locale.ROOT, "INFO fanout sessions=%d opened_in_ms=%.0f watchers=%s%n",
                    count, (System.nanoTime() - start) / 1e6, watchers.name());
            for (boolean persistent : new boolean[] {false, true}) {
                String kind = persistent ? "persistent" : "oneshot";
                double[] samples = new double[reps];
                for (int rep = 0; rep <= reps; rep++) {
                    long armStart = System.nanoTime();
                    if (!persistent || rep == 0) {
                        watchers.arm(node, persistent);
                    }
                    double armMs = (System.nanoTime() - armStart) / 1e6;
                    watchers.reset();
                    CountDownLatch replied = new CountDownLatch(1);
                    AtomicInteger rc = new AtomicInteger();
                    long t0 = System.nanoTime();
                    writer.setData(node, data, -1, (code, path, ctx, stat) -> {
                        rc.set(code);
                        replied.countDown();
                    }, null);
                    long[] times = watchers.awaitEvents(FANOUT_TIMEOUT_NS);
                    if (!replied.await(CONNECT_TIMEOUT_S, TimeUnit.SECONDS) || rc.get() != KeeperException.Code.OK.intValue()) {
                        throw new IllegalStateException("setData failed or hung: rc " + rc.get());
                    }
                    long[] sorted = times.clone();
                    Arrays.sort(sorted);
                    double last = (sorted[sorted.length - 1] - t0) / 1e6;
                    System.out.printf(Locale.ROOT, "INFO fanout kind=%s sessions=%d rep=%d%s armed_in_ms=%.1f first_ms=%.3f median_ms=%.3f last_ms=%.3f%n",
                            kind, count, rep, rep == 0 ? "(warm-up)" : "", armMs, (sorted[0] - t0) / 1e6,
                            (percentileOf(sorted, 0.5) - t0) / 1e6, last);
                    if (rep > 0) {
                        samples[rep - 1] = last;
                    }
                }
                results.add(new Result("fanout", kind, count, samples));
            }
        }
        return results;
    }

    /** One abandoned session: its child process, and what the benchmark saw of it. */
    private static final class Abandoned {
        Process process;
        BufferedReader out;
        Writer in;
        String path;
        int timeoutMs;
        long readyNs;
        long stoppedNs;
        volatile long deletedNs;
    }

    /**
     * {@code expirySessions} sessions with timeout {@code timeoutMs}, each in a child process
     * ({@link ExpiryChild}) started and connected up front. One after another, at random spacings
     * of 200–500 ms (so their deadlines fall at different phases of the server's tick): the child
     * creates its ephemeral node and does one more request, prints "ready", and is SIGSTOPped;
     * then an observer session sets an exists watch on the node. The sample is the NodeDeleted
     * event's time − the stop time − the negotiated timeout: how late the session expired. The stop
     * time is the child's clock reading right after its last reply (printed with "ready"; on Linux
     * System.nanoTime is CLOCK_MONOTONIC in every JVM): it sends nothing after that (the client pings
     * only after a third of the timeout idle), and the SIGSTOP that follows takes a fork and exec of
     * kill(1), about 5 ms, which would otherwise count against ZooKeeper.
     */
    private Result expiry(String parent, int run) throws Exception {
        List<Abandoned> sessions = new ArrayList<>();
        ZooKeeper observer = connect(server, SESSION_TIMEOUT_MS);
        String java = ProcessHandle.current().info().command().orElse("java");
        try {
            for (int i = 0; i < expirySessions; i++) {
                Abandoned s = new Abandoned();
                s.path = parent + "/ephemeral-" + run + "-" + i;
                s.process = new ProcessBuilder(java, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                        "-cp", System.getProperty("java.class.path"),
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                        "ExpiryChild", server, Integer.toString(timeoutMs), s.path)
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                s.out = new BufferedReader(new InputStreamReader(s.process.getInputStream(), StandardCharsets.UTF_8));
                s.in = new OutputStreamWriter(s.process.getOutputStream(), StandardCharsets.UTF_8);
                sessions.add(s);
            }
            for (Abandoned s : sessions) {
                String[] connected = expectLine(s, "connected");
                s.timeoutMs = Integer.parseInt(connected[2]);
            }
            for (int i = 0; i < sessions.size(); i++) {
                Abandoned s = sessions.get(i);
                s.in.write("go\n");
                s.in.flush();
                s.readyNs = Long.parseLong(expectLine(s, "ready")[1]);
                signal("STOP", s.process.pid());
                s.stoppedNs = System.nanoTime();
                Stat stat = observer.exists(s.path, event -> {
                    if (event.getType() == EventType.NodeDeleted) {
                        s.deletedNs = System.nanoTime();
                    }
                });
                if (stat == null || stat.getEphemeralOwner() == 0) {
                    throw new IllegalStateException(s.path + " is not an ephemeral node");
                }
                if (i + 1 < sessions.size()) {
                    Thread.sleep(200 + random.nextInt(301));
                }
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs + 3L * tickMs) + TimeUnit.SECONDS.toNanos(60);
            while (sessions.stream().anyMatch(s -> s.deletedNs == 0)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("sessions expired: " + sessions.stream().filter(s -> s.deletedNs != 0).count()
                            + " of " + sessions.size() + " within the timeout + 3 ticks + 60 s");
                }
                Thread.sleep(5);
            }
            double[] samples = new double[sessions.size()];
            for (int i = 0; i < samples.length; i++) {
                Abandoned s = sessions.get(i);
                samples[i] = (s.deletedNs - s.readyNs) / 1e6 - s.timeoutMs;
                System.out.printf(Locale.ROOT, "INFO expiry session=%d timeout_ms=%d late_ms=%.1f late_from_sigstop_ms=%.1f ready_to_stopped_ms=%.2f%n",
                        i, s.timeoutMs, samples[i], (s.deletedNs - s.stoppedNs) / 1e6 - s.timeoutMs, (s.stoppedNs - s.readyNs) / 1e6);
            }
            return new Result("expiry", "t" + timeoutMs + "-tick" + tickMs, sessions.size(), samples);
        } finally {
            for (Abandoned s : sessions) {
                s.process.destroyForcibly();
            }
            for (Abandoned s : sessions) {
                s.process.waitFor(10, TimeUnit.SECONDS);
            }
            observer.close();
        }
    }

    private static String[] expectLine(Abandoned s, String word) throws IOException {
        String line = s.out.readLine();
        if (line == null || !line.startsWith(word + " ")) {
            throw new IllegalStateException("child for " + s.path + " said " + line + " instead of '" + word + " ...'");
        }
        return line.split(" ");
    }

    /** Sends a signal with kill(1): the JDK can send only SIGTERM and SIGKILL itself. */
    private static void signal(String name, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " " + pid + " failed");
        }
    }

    private static Result report(Result result, String stat) {
        System.out.println(result.line(stat));
        return result;
    }

    /** Nearest-rank percentile of sorted values. */
    private static double percentile(double[] sorted, double q) {
        return sorted[(int) Math.ceil(q * sorted.length) - 1];
    }

    private static long percentileOf(long[] sorted, double q) {
        return sorted[(int) Math.ceil(q * sorted.length) - 1];
    }

    /** Per configuration, the median across runs of each statistic taken separately (as ZkBench's medians). */
    private static List<Result> medians(List<Result> all) {
        List<Result> medians = new ArrayList<>();
        for (List<Result> runs : byConfiguration(all)) {
            Result first = runs.get(0);
            Stats stats = new Stats(first.stats().n(),
                    median(runs.stream().mapToDouble(r -> r.stats().p50()).toArray()),
                    median(runs.stream().mapToDouble(r -> r.stats().p99()).toArray()),
                    median(runs.stream().mapToDouble(r -> r.stats().min()).toArray()),
                    median(runs.stream().mapToDouble(r -> r.stats().max()).toArray()));
            medians.add(new Result(first.workload(), first.kind(), first.sessions(), stats, null));
        }
        return medians;
    }

    private static List<List<Result>> byConfiguration(List<Result> all) {
        Map<String, List<Result>> byKey = new LinkedHashMap<>();
        for (Result r : all) {
            byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r);
        }
        return new ArrayList<>(byKey.values());
    }

    private static double median(double[] values) {
        Arrays.sort(values);
        int mid = values.length / 2;
        return values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    /** Per configuration, the statistics of every run's samples together. */
    private static List<Result> pooled(List<Result> all) {
        List<Result> pooled = new ArrayList<>();
        for (List<Result> runs : byConfiguration(all)) {
            Result first = runs.get(0);
            double[] samples = runs.stream().flatMapToDouble(r -> Arrays.stream(r.samplesMs())).toArray();
            pooled.add(new Result(first.workload(), first.kind(), first.sessions(), samples));
        }
        return pooled;
    }

    private static void printTable(String title, List<Result> results) {
        System.out.println();
        System.out.println(SYSTEM + ", " + title + ":");
        System.out.printf(Locale.ROOT, "%-8s %-16s %8s %6s %9s %9s %9s %9s%n",
                "workload", "kind", "sessions", "n", "p50 ms", "p99 ms", "min ms", "max ms");
        for (Result r : results) {
            Stats s = r.stats();
            System.out.printf(Locale.ROOT, "%-8s %-16s %8d %6d %9.3f %9.3f %9.3f %9.3f%n",
                    r.workload(), r.kind(), r.sessions(), s.n(), s.p50(), s.p99(), s.min(), s.max());
        }
        System.out.println();
    }
}
