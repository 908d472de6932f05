import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;

/**
 * Apache Curator's side of bench/OrleansZk.RecipesBench: the same four workloads, the same RESULT
 * lines. Each client is a CuratorFramework of its own (its own session and connection).
 *
 * lock: InterProcessMutex acquire + release, one client alone ("uncontended") and C clients on one
 * lock ("contended"); latency = acquire call to release return; ops/s over the wall time.
 * leader: three LeaderLatch participants; the leader closes, latency = close call to the next
 * participant's isLeader callback; the closed one joins again at the back.
 * discovery: an instance node (ephemeral, ServiceDiscovery's JSON) created / deleted by one client,
 * latency = create (delete) call to the event in another client's CuratorCache of the service
 * (curator-x-discovery is not packaged in Debian; its ServiceCache is such a cache).
 */
public final class RecipesBench {
    private static final int SESSION_TIMEOUT_MS = 10_000;
    private static final long WAIT_S = 30;

    private final String server;
    private final int lockOps;
    private final int[] contended;
    private final int handovers;
    private final int changes;

    private RecipesBench(String server, int lockOps, int[] contended, int handovers, int changes) {
        this.server = server;
        this.lockOps = lockOps;
        this.contended = contended;
        this.handovers = handovers;
        this.changes = changes;
    }

    public static void main(String[] args) throws Exception {
        String server = "127.0.0.1:2181";
        int runs = 3, lockOps = 1000, handovers = 30, changes = 100;
        int[] contended = {4, 8};
        for (int a = 0; a + 1 < args.length; a += 2) {
            String v = args[a + 1];
            switch (args[a]) {
                case "-server": server = v; break;
                case "-runs": runs = Integer.parseInt(v); break;
                case "-lock-ops": lockOps = Integer.parseInt(v); break;
                case "-contended": contended = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray(); break;
                case "-handovers": handovers = Integer.parseInt(v); break;
                case "-changes": changes = Integer.parseInt(v); break;
                default: System.err.println("unknown argument " + args[a]); System.exit(2);
            }
        }
        RecipesBench bench = new RecipesBench(server, lockOps, contended, handovers, changes);
        List<List<Result>> all = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            List<Result> results = bench.runOnce(run);
            for (Result r : results) System.out.println(r.line("run=" + run));
            all.add(results);
        }
        System.out.println();
        for (int i = 0; i < all.get(0).size(); i++) {
            final int k = i;
            Result first = all.get(0).get(i);
            double ops = median(all.stream().mapToDouble(rs -> rs.get(k).opsPerSec).toArray());
            double p50 = median(all.stream().mapToDouble(rs -> rs.get(k).p50Ms).toArray());
            double p99 = median(all.stream().mapToDouble(rs -> rs.get(k).p99Ms).toArray());
            System.out.println(new Result(first.workload, first.mode, first.clients, first.n, ops, p50, p99).line("stat=median"));
        }
    }

    private List<Result> runOnce(int run) throws Exception {
        String root = "/recipes-bench-" + run + "-" + UUID.randomUUID().toString().substring(0, 8);
        List<Result> results = new ArrayList<>();
        results.add(lock(root + "/lock-u", 1, lockOps, "uncontended"));
        for (int c : contended) results.add(lock(root + "/lock-c" + c, c, lockOps, "contended"));
        results.add(leader(root + "/leader", 3));
        results.addAll(discovery(root + "/services"));
        return results;
    }

    private CuratorFramework connect() throws InterruptedException {
        CuratorFramework c = CuratorFrameworkFactory.newClient(server, SESSION_TIMEOUT_MS, SESSION_TIMEOUT_MS, new ExponentialBackoffRetry(100, 3));
        c.start();
        if (!c.blockUntilConnected(30, TimeUnit.SECONDS)) throw new IllegalStateException("no connection to " + server);
        return c;
    }

    private Result lock(String path, int clients, int total, String mode) throws Exception {
        List<CuratorFramework> cs = new ArrayList<>();
        for (int i = 0; i < clients; i++) cs.add(connect());
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<InterProcessMutex> mutexes = new ArrayList<>();
            for (CuratorFramework c : cs) mutexes.add(new InterProcessMutex(c, path));
            for (InterProcessMutex m : mutexes) for (int i = 0; i < 5; i++) { m.acquire(); m.release(); } // warm-up
            int per = total / clients;
            long[] latencies = new long[per * clients];
            List<Callable<Void>> work = new ArrayList<>();
            for (int w = 0; w < clients; w++) {
                final int offset = w * per;
                final InterProcessMutex m = mutexes.get(w);
                work.add(() -> {
                    for (int i = 0; i < per; i++) {
                        long t0 = System.nanoTime();
                        m.acquire();
                        m.release();
                        latencies[offset + i] = System.nanoTime() - t0;
                    }
                    return null;
                });
            }
            long start = System.nanoTime();
            for (Future<Void> f : pool.invokeAll(work)) f.get();
            long elapsed = System.nanoTime() - start;
            return Result.of("lock", mode, clients, latencies, elapsed);
        } finally {
            pool.shutdownNow();
            for (CuratorFramework c : cs) c.close();
        }
    }

    private static final class Lead {
        final LeaderLatch latch;
        final long at;

        Lead(LeaderLatch latch, long at) {
            this.latch = latch;
            this.at = at;
        }
    }

    private LeaderLatch participant(CuratorFramework c, String path, String id, BlockingQueue<Lead> leads) throws Exception {
        LeaderLatch latch = new LeaderLatch(c, path, id);
        latch.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                leads.add(new Lead(latch, System.nanoTime()));
            }

            @Override
            public void notLeader() {
            }
        });
        latch.start();
        return latch;
    }

    private Result leader(String path, int participants) throws Exception {
        List<CuratorFramework> cs = new ArrayList<>();
        for (int i = 0; i < participants; i++) cs.add(connect());
        BlockingQueue<Lead> leads = new LinkedBlockingQueue<>();
        List<LeaderLatch> latches = new ArrayList<>();
        try {
            for (int i = 0; i < participants; i++) latches.add(participant(cs.get(i), path, "p" + i, leads));
            Lead current = take(leads);
            long[] latencies = new long[handovers];
            long start = System.nanoTime();
            for (int h = 0; h < handovers; h++) {
                awaitParticipants(latches.get(0), path, participants);
                int index = latches.indexOf(current.latch);
                long t0 = System.nanoTime();
                current.latch.close();
                Lead next = take(leads);
                latencies[h] = next.at - t0;
                latches.set(index, participant(cs.get(index), path, "p" + index, leads));
                current = next;
            }
            return Result.of("leader", "handover", participants, latencies, System.nanoTime() - start);
        } finally {
            for (LeaderLatch l : latches) {
                try {
                    l.close();
                } catch (IllegalStateException | java.io.IOException e) {
                    // Closed already.
                }
            }
            for (CuratorFramework c : cs) c.close();
        }
    }

    private static void awaitParticipants(LeaderLatch any, String path, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (any.getParticipants().size() < count) {
            if (System.nanoTime() > deadline) throw new TimeoutException(count + " participants in " + path);
            Thread.sleep(1);
        }
    }

    private List<Result> discovery(String base) throws Exception {
        CuratorFramework host = connect(), watcher = connect();
        String dir = base + "/bench";
        watcher.create().creatingParentContainersIfNeeded().forPath(dir);
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        CuratorCache cache = CuratorCache.build(watcher, dir);
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreates(n -> events.add("added " + n.getPath()))
                .forDeletes(n -> events.add("removed " + n.getPath()))
                .forInitialized(() -> events.add("initialized"))
                .build());
        cache.start();
        try {
            expect(events, "initialized");
            long[] added = new long[changes], removed = new long[changes];
            long start = System.nanoTime();
            for (int i = 0; i < changes; i++) {
                String id = "i" + i, path = dir + "/" + id;
                byte[] json = String.format(Locale.ROOT,
                        "{\"name\":\"bench\",\"id\":\"%s\",\"address\":\"127.0.0.1\",\"port\":%d,\"registrationTimeUTC\":%d,\"serviceType\":\"DYNAMIC\"}",
                        id, 8000 + i, System.currentTimeMillis()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                long t0 = System.nanoTime();
                host.create().withMode(CreateMode.EPHEMERAL).forPath(path, json);
                expect(events, "added " + path);
                added[i] = System.nanoTime() - t0;
                t0 = System.nanoTime();
                host.delete().forPath(path);
                expect(events, "removed " + path);
                removed[i] = System.nanoTime() - t0;
            }
            long elapsed = System.nanoTime() - start;
            return List.of(Result.of("discovery", "register", 2, added, elapsed), Result.of("discovery", "unregister", 2, removed, elapsed));
        } finally {
            cache.close();
            host.close();
            watcher.close();
        }
    }

    private static Lead take(BlockingQueue<Lead> leads) throws Exception {
        Lead l = leads.poll(WAIT_S, TimeUnit.SECONDS);
        if (l == null) throw new TimeoutException("no leader within " + WAIT_S + " s");
        return l;
    }

    private static void expect(BlockingQueue<String> events, String wanted) throws Exception {
        while (true) {
            String e = events.poll(WAIT_S, TimeUnit.SECONDS);
            if (e == null) throw new TimeoutException("no event \"" + wanted + "\" within " + WAIT_S + " s");
            if (e.equals(wanted)) return;
        }
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int mid = s.length / 2;
        return s.length % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
    }

    static final class Result {
        final String workload, mode;
        final int clients, n;
        final double opsPerSec, p50Ms, p99Ms;

        Result(String workload, String mode, int clients, int n, double opsPerSec, double p50Ms, double p99Ms) {
            this.workload = workload;
            this.mode = mode;
            this.clients = clients;
            this.n = n;
            this.opsPerSec = opsPerSec;
            this.p50Ms = p50Ms;
            this.p99Ms = p99Ms;
        }

        /** ops/s over the wall time; p50 and p99 by nearest rank. */
        static Result of(String workload, String mode, int clients, long[] latenciesNs, long elapsedNs) {
            long[] s = latenciesNs.clone();
            Arrays.sort(s);
            return new Result(workload, mode, clients, s.length, s.length * 1e9 / elapsedNs, rank(s, 0.50) / 1e6, rank(s, 0.99) / 1e6);
        }

        static long rank(long[] sorted, double q) {
            return sorted[(int) Math.ceil(q * sorted.length) - 1];
        }

        String line(String stat) {
            return String.format(Locale.ROOT, "RESULT system=curator workload=%s mode=%s clients=%d n=%d ops_per_s=%.0f p50_ms=%.3f p99_ms=%.3f %s",
                    workload, mode, clients, n, opsPerSec, p50Ms, p99Ms, stat);
        }
    }
}
