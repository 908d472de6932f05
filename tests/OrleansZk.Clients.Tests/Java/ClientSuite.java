import java.util.Map;

/**
 * The Java client sections: {@code java ClientSuite SECTION} runs one and prints its log (each
 * section's expected log is SECTION.log beside this file). The Java client is ZooKeeper 3.8's own
 * (Debian's zookeeper.jar), unmodified; the sections cover what kazoo 2.8 cannot send.
 */
public final class ClientSuite {
    interface Section {
        void run() throws Exception;
    }

    private static final Map<String, Section> SECTIONS = Map.of(
        "create_modes", CreateModes::run,
        "reads", Reads::run,
        "persistent_watches", PersistentWatches::run,
        "remove_watches", RemoveWatches::run,
        "set_watches", SetWatches::run,
        "expiry", Expiry::run);

    public static void main(String[] args) throws Exception {
        Section section = args.length == 1 ? SECTIONS.get(args[0]) : null;
        if (section == null) {
            System.err.println("usage: ClientSuite SECTION, one of " + SECTIONS.keySet());
            System.exit(2);
        }
        section.run();
        Harness.log("done");
        // The client's threads would keep the JVM alive otherwise.
        System.exit(0);
    }
}
