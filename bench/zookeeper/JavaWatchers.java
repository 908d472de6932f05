import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.ZooKeeper;

/**
 * Watching sessions as ZooKeeper's own client makes them: one {@code ZooKeeper} handle (two
 * threads, one socket) per session. A cross-check of {@link RawWatchers} at counts where the
 * threads are affordable (1,000 sessions = 2,000 threads).
 */
final class JavaWatchers implements Watchers {
    private static final long ARM_TIMEOUT_S = 60;

    private final String server;
    private final int sessionTimeoutMs;
    private final List<ZooKeeper> sessions = new ArrayList<>();
    private volatile long[] eventNs = new long[0];
    private volatile CountDownLatch eventsIn = new CountDownLatch(0);
    private volatile String path = "";
    private final AtomicInteger badEvents = new AtomicInteger();
    private final AtomicReference<String> firstBad = new AtomicReference<>();

    JavaWatchers(String server, int sessionTimeoutMs) {
        this.server = server;
        this.sessionTimeoutMs = sessionTimeoutMs;
    }

    @Override
    public String name() {
        return "java";
    }

    @Override
    public void open(int count) throws Exception {
        for (int i = 0; i < count; i++) {
            sessions.add(WatchBench.connect(server, sessionTimeoutMs));
        }
        eventNs = new long[count];
    }

    @Override
    public void arm(String path, boolean persistent) throws Exception {
        this.path = path;
        CountDownLatch replies = new CountDownLatch(sessions.size());
        AtomicInteger failed = new AtomicInteger();
        for (int i = 0; i < sessions.size(); i++) {
            Watcher watcher = watcher(i);
            if (persistent) {
                sessions.get(i).addWatch(path, watcher, AddWatchMode.PERSISTENT, (rc, p, ctx) -> {
                    if (rc != KeeperException.Code.OK.intValue()) {
                        failed.incrementAndGet();
                    }
                    replies.countDown();
                }, null);
            } else {
                sessions.get(i).getData(path, watcher, (rc, p, ctx, data, stat) -> {
                    if (rc != KeeperException.Code.OK.intValue()) {
                        failed.incrementAndGet();
                    }
                    replies.countDown();
                }, null);
            }
        }
        if (!replies.await(ARM_TIMEOUT_S, TimeUnit.SECONDS)) {
            throw new IllegalStateException("watches set: " + (sessions.size() - replies.getCount()) + " of " + sessions.size());
        }
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " watch requests failed");
        }
    }

    /** Session {@code i}'s watcher: notes the time of its first NodeDataChanged on the path since the last reset. */
    private Watcher watcher(int i) {
        return (WatchedEvent event) -> {
            long now = System.nanoTime();
            if (event.getType() == EventType.None) {
                return;
            }
            if (event.getType() != EventType.NodeDataChanged || !path.equals(event.getPath())) {
                badEvents.incrementAndGet();
                firstBad.compareAndSet(null, "session " + i + ": " + event);
                return;
            }
            long[] times = eventNs;
            if (times[i] == 0) {
                times[i] = now;
                eventsIn.countDown();
            }
        };
    }

    @Override
    public void reset() {
        badEvents.set(0);
        eventsIn = new CountDownLatch(sessions.size());
        eventNs = new long[sessions.size()];
    }

    @Override
    public long[] awaitEvents(long timeoutNs) throws Exception {
        CountDownLatch latch = eventsIn;
        if (!latch.await(timeoutNs, TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException("sessions that received the event: " + (sessions.size() - latch.getCount()) + " of " + sessions.size());
        }
        if (badEvents.get() > 0) {
            throw new IllegalStateException(badEvents.get() + " unexpected events, the first: " + firstBad.get());
        }
        return eventNs.clone();
    }

    /** Closes the sessions 64 at a time: each close waits for its closeSession txn's reply (an fsync). */
    @Override
    public void close() {
        ExecutorService closers = Executors.newFixedThreadPool(64);
        for (ZooKeeper zk : sessions) {
            closers.execute(() -> {
                try {
                    zk.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        closers.shutdown();
        try {
            closers.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sessions.clear();
    }
}
