/**
 * Many watching sessions for the fan-out benchmark. One implementation drives them over ZooKeeper's
 * wire protocol from one thread ({@link RawWatchers}), the other with one
 * {@code org.apache.zookeeper.ZooKeeper} handle each ({@link JavaWatchers}).
 *
 * <p>Calls are made from one thread, in this order: {@link #open}, then any number of
 * ({@link #arm} or nothing, {@link #reset}, the change, {@link #awaitEvents}), then {@link #close}.
 */
interface Watchers extends AutoCloseable {
    /** A name for the output: {@code raw} or {@code java}. */
    String name();

    /** Opens {@code count} sessions and returns once every one is connected. */
    void open(int count) throws Exception;

    /**
     * Sets a watch on {@code path} in every session: a one-shot data watch (getData with a watch)
     * or, if {@code persistent}, a persistent one (addWatch, mode PERSISTENT). Returns once every
     * session's reply is in, so every watch is registered at the server.
     */
    void arm(String path, boolean persistent) throws Exception;

    /** Forgets the events received so far; {@link #awaitEvents} then waits for new ones. */
    void reset() throws Exception;

    /**
     * Waits until every session has received a NodeDataChanged event for the armed path since
     * {@link #reset}, and returns, per session, the {@code System.nanoTime()} at which its client
     * read that event.
     *
     * @throws IllegalStateException some session had no event within the timeout, or an event of
     *     another type or path arrived (the message says how many sessions got one)
     */
    long[] awaitEvents(long timeoutNs) throws Exception;

    /** Closes every session (closeSession, so the server drops them at once). */
    @Override
    void close();
}
