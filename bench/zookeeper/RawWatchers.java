import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Watching sessions that speak ZooKeeper's jute wire protocol themselves, each on its own TCP
 * connection as a {@code ZooKeeper} handle, all driven by one NIO selector thread. A
 * {@code ZooKeeper} handle runs two threads (send and event), so 10,000 of them would be 20,000
 * threads; this client needs one, and does only what the fan-out benchmark needs: connect
 * (ConnectRequest), getData with watch=true, addWatch (PERSISTENT), ping, closeSession, and reading
 * watch notifications (xid -1).
 *
 * <p>Wire format (jute, big-endian): every frame is a 4-byte length then the record. A request is
 * {@code int xid, int type} then its body; a reply {@code int xid, long zxid, int err} then its
 * body. The selector thread owns every socket and every field of {@link Conn}; the caller's thread
 * hands it work through {@link #onLoop} and waits on latches.
 */
final class RawWatchers implements Watchers {
    private static final int OP_GET_DATA = 4;
    private static final int OP_PING = 11;
    private static final int OP_CLOSE_SESSION = -11;
    private static final int OP_ADD_WATCH = 106;
    private static final int ADD_WATCH_PERSISTENT = 0;
    private static final int XID_NOTIFICATION = -1;
    private static final int XID_PING = -2;
    private static final int EVENT_NODE_DATA_CHANGED = 3;
    /** TCP connects plus ConnectRequests in flight: more could overflow the server's accept backlog (50) and cost SYN retries of 1 s and more. */
    private static final int MAX_HANDSHAKES = 32;
    private static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(120);
    private static final long ARM_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);

    private enum State { CONNECTING, HANDSHAKE, OPEN, CLOSING, CLOSED }

    /** One session: its socket and what the selector thread knows of it. */
    private static final class Conn {
        final int index;
        SocketChannel channel;
        SelectionKey key;
        State state = State.CONNECTING;
        ByteBuffer in = ByteBuffer.allocate(512);
        final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
        int nextXid = 1;
        /** The xid of the outstanding getData / addWatch, or 0. */
        int awaitedXid;
        long lastSendNs;
        long eventNs;

        Conn(int index) {
            this.index = index;
        }
    }

    private final InetSocketAddress server;
    private final int sessionTimeoutMs;
    private final Selector selector;
    private final Thread loop;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private volatile boolean stopping;
    private volatile Throwable failure;

    // Owned by the selector thread.
    private Conn[] conns = new Conn[0];
    private int nextToConnect;
    private int handshaking;
    private long pingIntervalNs;
    private long lastPingScanNs;
    private byte[] watchedPath = new byte[0];
    private String watchedPathString = "";
    private CountDownLatch opened = new CountDownLatch(0);
    private CountDownLatch armed = new CountDownLatch(0);
    private CountDownLatch eventsIn = new CountDownLatch(0);
    private int badReplies;
    private int badEvents;
    private String firstBad;

    RawWatchers(String hostPort, int sessionTimeoutMs) throws IOException {
        int colon = hostPort.lastIndexOf(':');
        this.server = new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.selector = Selector.open();
        this.loop = new Thread(this::run, "raw-watchers");
        this.loop.setDaemon(true);
        this.loop.start();
    }

    @Override
    public String name() {
        return "raw";
    }

    @Override
    public void open(int count) throws Exception {
        CountDownLatch done = onLoop(() -> {
            conns = new Conn[count];
            for (int i = 0; i < count; i++) {
                conns[i] = new Conn(i);
            }
            nextToConnect = 0;
            opened = new CountDownLatch(count);
            admitConnects();
            return opened;
        });
        await(done, CONNECT_TIMEOUT_NS, () -> "sessions connected: " + (count - done.getCount()) + " of " + count);
    }

    @Override
    public void arm(String path, boolean persistent) throws Exception {
        CountDownLatch done = onLoop(() -> {
            watchedPathString = path;
            watchedPath = path.getBytes(StandardCharsets.UTF_8);
            armed = new CountDownLatch(conns.length);
            for (Conn c : conns) {
                c.awaitedXid = c.nextXid++;
                ByteBuffer frame = persistent
                        ? request(c.awaitedXid, OP_ADD_WATCH, 4 + watchedPath.length + 4).putInt(watchedPath.length).put(watchedPath).putInt(ADD_WATCH_PERSISTENT)
                        : request(c.awaitedXid, OP_GET_DATA, 4 + watchedPath.length + 1).putInt(watchedPath.length).put(watchedPath).put((byte) 1);
                send(c, frame.flip());
            }
            return armed;
        });
        await(done, ARM_TIMEOUT_NS, () -> "watches set: " + (conns.length - done.getCount()) + " of " + conns.length);
        int bad = onLoop(() -> badReplies);
        if (bad > 0) {
            throw new IllegalStateException(bad + " watch requests failed, the first: " + onLoop(() -> firstBad));
        }
    }

    @Override
    public void reset() throws Exception {
        onLoop(() -> {
            for (Conn c : conns) {
                c.eventNs = 0;
            }
            badEvents = 0;
            eventsIn = new CountDownLatch(conns.length);
            return null;
        });
    }

    @Override
    public long[] awaitEvents(long timeoutNs) throws Exception {
        CountDownLatch done = onLoop(() -> eventsIn);
        await(done, timeoutNs, () -> "sessions that received the event: " + (conns.length - done.getCount()) + " of " + conns.length);
        return onLoop(() -> {
            if (badEvents > 0) {
                throw new IllegalStateException(badEvents + " unexpected events, the first: " + firstBad);
            }
            long[] times = new long[conns.length];
            for (Conn c : conns) {
                times[c.index] = c.eventNs;
            }
            return times;
        });
    }

    /**
     * Sends closeSession on every open session and waits (up to 30 s) until the server has closed
     * every connection, which it does once the closeSession txn is applied: so the next workload
     * does not share the server with 10,000 session closes.
     */
    @Override
    public void close() {
        try {
            onLoop(() -> {
                for (Conn c : conns) {
                    if (c.state == State.OPEN) {
                        c.state = State.CLOSING;
                        send(c, request(c.nextXid++, OP_CLOSE_SESSION, 0).flip());
                    }
                }
                return null;
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (onLoop(() -> {
                for (Conn c : conns) {
                    if (c.state == State.CLOSING) {
                        return true;
                    }
                }
                return false;
            })) {
                if (System.nanoTime() > deadline) {
                    System.err.println("WARN raw watchers: the server had not closed every session within 30 s of closeSession");
                    break;
                }
                Thread.sleep(10);
            }
        } catch (Exception e) {
            // Closing is best effort: the server expires what it does not hear of.
            System.err.println("WARN raw watchers: closing failed: " + e + (failure != null ? "; the selector thread had failed: " + failure : ""));
        } finally {
            stopping = true;
            selector.wakeup();
            try {
                loop.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Work for the selector thread. */
    private interface LoopWork<T> {
        T get() throws Exception;
    }

    /** Runs {@code work} on the selector thread and returns its result. */
    private <T> T onLoop(LoopWork<T> work) throws Exception {
        if (failure != null) {
            throw new IllegalStateException("raw watcher thread failed", failure);
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        tasks.add(() -> {
            try {
                result.complete(work.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        selector.wakeup();
        try {
            return result.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private void await(CountDownLatch latch, long timeoutNs, Supplier<String> progress) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNs;
        while (!latch.await(100, TimeUnit.MILLISECONDS)) {
            if (failure != null) {
                throw new IllegalStateException("raw watcher thread failed", failure);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms; " + progress.get());
            }
        }
    }

    private void run() {
        try {
            while (!stopping) {
                selector.select(100);
                for (Runnable task; (task = tasks.poll()) != null; ) {
                    task.run();
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    Conn c = (Conn) key.attachment();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isConnectable()) {
                        finishConnect(c);
                    }
                    if (key.isValid() && key.isReadable()) {
                        read(c);
                    }
                    if (key.isValid() && key.isWritable()) {
                        flush(c);
                    }
                }
                selector.selectedKeys().clear();
                pingIdle();
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            for (Conn c : conns) {
                closeQuietly(c);
            }
            try {
                selector.close();
            } catch (IOException e) {
                // Nothing left to do.
            }
        }
    }

    private void admitConnects() throws IOException {
        while (handshaking < MAX_HANDSHAKES && nextToConnect < conns.length) {
            Conn c = conns[nextToConnect++];
            c.channel = SocketChannel.open();
            c.channel.configureBlocking(false);
            c.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            handshaking++;
            if (c.channel.connect(server)) {
                c.key = c.channel.register(selector, SelectionKey.OP_READ, c);
                sendConnectRequest(c);
            } else {
                c.key = c.channel.register(selector, SelectionKey.OP_CONNECT, c);
            }
        }
    }

    private void finishConnect(Conn c) throws IOException {
        if (!c.channel.finishConnect()) {
            return;
        }
        c.key.interestOps(SelectionKey.OP_READ);
        sendConnectRequest(c);
    }

    /** ConnectRequest: protocolVersion 0, lastZxidSeen 0, timeOut, sessionId 0, passwd (16 zero bytes); then readOnly=false as the Java client sends it. */
    private void sendConnectRequest(Conn c) throws IOException {
        c.state = State.HANDSHAKE;
        ByteBuffer b = ByteBuffer.allocate(4 + 4 + 8 + 4 + 8 + 4 + 16 + 1);
        b.putInt(b.capacity() - 4).putInt(0).putLong(0).putInt(sessionTimeoutMs).putLong(0).putInt(16).put(new byte[16]).put((byte) 0);
        send(c, b.flip());
    }

    private static ByteBuffer request(int xid, int type, int bodyBytes) {
        ByteBuffer b = ByteBuffer.allocate(4 + 8 + bodyBytes);
        return b.putInt(8 + bodyBytes).putInt(xid).putInt(type);
    }

    private void send(Conn c, ByteBuffer frame) throws IOException {
        c.lastSendNs = System.nanoTime();
        if (c.out.isEmpty()) {
            c.channel.write(frame);
            if (!frame.hasRemaining()) {
                return;
            }
            c.key.interestOps(c.key.interestOps() | SelectionKey.OP_WRITE);
        }
        c.out.add(frame);
    }

    private void flush(Conn c) throws IOException {
        while (!c.out.isEmpty()) {
            ByteBuffer head = c.out.peek();
            c.channel.write(head);
            if (head.hasRemaining()) {
                return;
            }
            c.out.poll();
        }
        c.key.interestOps(c.key.interestOps() & ~SelectionKey.OP_WRITE);
    }

    private void read(Conn c) throws IOException {
        int n = c.channel.read(c.in);
        if (n < 0 && c.state == State.CLOSING) {
            closeQuietly(c);
            return;
        }
        if (n < 0) {
            throw new IOException("session " + c.index + ": the server closed the connection (state " + c.state + ")");
        }
        long now = System.nanoTime();
        c.in.flip();
        while (c.in.remaining() >= 4) {
            int length = c.in.getInt(c.in.position());
            if (c.in.remaining() < 4 + length) {
                if (4 + length > c.in.capacity()) {
                    ByteBuffer bigger = ByteBuffer.allocate(4 + length);
                    bigger.put(c.in);
                    c.in = bigger;
                    c.in.flip();
                }
                break;
            }
            int end = c.in.position() + 4 + length;
            c.in.position(c.in.position() + 4);
            frame(c, c.in, now);
            c.in.position(end);
        }
        c.in.compact();
    }

    private void frame(Conn c, ByteBuffer b, long now) throws IOException {
        if (c.state == State.HANDSHAKE) {
            b.getInt(); // protocolVersion
            int timeout = b.getInt();
            if (timeout <= 0) {
                throw new IOException("session " + c.index + ": the server refused the session (ConnectResponse timeOut " + timeout + ")");
            }
            // sessionId and passwd follow; this client never reconnects, so it keeps neither.
            pingIntervalNs = TimeUnit.MILLISECONDS.toNanos(timeout) / 3;
            c.state = State.OPEN;
            handshaking--;
            opened.countDown();
            admitConnects();
            return;
        }
        int xid = b.getInt();
        b.getLong(); // zxid
        int err = b.getInt();
        if (xid == XID_NOTIFICATION) {
            int type = b.getInt();
            b.getInt(); // state
            byte[] path = new byte[b.getInt()];
            b.get(path);
            onEvent(c, type, new String(path, StandardCharsets.UTF_8), now);
        } else if (xid == XID_PING) {
            return;
        } else if (xid == c.awaitedXid) {
            c.awaitedXid = 0;
            if (err != 0) {
                badReplies++;
                if (firstBad == null) {
                    firstBad = "session " + c.index + ": error " + err;
                }
            }
            armed.countDown();
        }
    }

    private void onEvent(Conn c, int type, String path, long now) {
        if (type != EVENT_NODE_DATA_CHANGED || !path.equals(watchedPathString)) {
            badEvents++;
            if (firstBad == null) {
                firstBad = "session " + c.index + ": event type " + type + " on " + path;
            }
            return;
        }
        if (c.eventNs == 0) {
            c.eventNs = now;
            eventsIn.countDown();
        }
    }

    /** Pings every open session that has sent nothing for a third of its timeout, as the Java client does. */
    private void pingIdle() throws IOException {
        long now = System.nanoTime();
        if (pingIntervalNs == 0 || now - lastPingScanNs < TimeUnit.MILLISECONDS.toNanos(200)) {
            return;
        }
        lastPingScanNs = now;
        for (Conn c : conns) {
            if (c.state == State.OPEN && now - c.lastSendNs > pingIntervalNs) {
                send(c, request(XID_PING, OP_PING, 0).flip());
            }
        }
    }

    private static void closeQuietly(Conn c) {
        if (c == null || c.channel == null) {
            return;
        }
        c.state = State.CLOSED;
        try {
            c.channel.close();
        } catch (IOException e) {
            // Nothing left to do.
        }
    }
}
