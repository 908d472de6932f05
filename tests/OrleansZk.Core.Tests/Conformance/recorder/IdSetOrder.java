// Records the iteration order of ZooKeeper 3.8's per-connection identity set, the set an "auth"
// ACL entry expands from: ServerCnxn.authInfo = Collections.newSetFromMap(new ConcurrentHashMap<>()),
// read through new ArrayList<>(set) (ServerCnxn.getAuthInfo). Built here exactly so, with
// org.apache.zookeeper.data.Id keys and DigestAuthenticationProvider.generateDigest ids, for
// fixed pseudo-random cases that cross every table resize, duplicates re-added, a bin that grows
// the table (9 or more ids in one bin below 64 bins), tree bins (9 or more at 64 bins and above)
// and their split on a later resize.
// Output, one case a line: "INSERTED-IDS => ITERATION-ORDER", ids as scheme:id separated by spaces.
// Usage: java -cp <zookeeper jars>:<classes> IdSetOrder ../expected/jvm-id-set-order.txt

import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

public final class IdSetOrder {
    private static final String NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:\u00e9\u00fc\u65e5\u672c";

    private final Random random = new Random(20260314L);
    private int differentFromHashSet;
    private int made;

    public static void main(String[] args) throws Exception {
        IdSetOrder r = new IdSetOrder();
        List<String> lines = new ArrayList<>();
        for (int count = 1; count <= 70; count++) {
            lines.add(r.record(r.digestCase(count, count % 3 != 0, count % 2 == 0 ? 0.25 : 0)));
        }
        for (int i = 0; i < 4; i++) {
            lines.add(r.record(r.digestCase(80 + r.random.nextInt(120), true, 0.1)));
        }
        for (int k = 5; k <= 40; k += 5) {
            lines.add(r.record(r.collidingCase(k)));
        }
        for (int i = 0; i < 8; i++) {
            lines.add(r.record(r.sameBinCase(9 + i)));
            lines.add(r.record(r.treeSplitCase(9 + i)));
        }
        if (args.length != 1) {
            System.err.println("usage: IdSetOrder OUTPUT.txt");
            System.exit(2);
        }
        PrintStream out = new PrintStream(new FileOutputStream(args[0]), true, StandardCharsets.UTF_8);
        out.println("# " + lines.size() + " cases; a HashSet<Id> (HashMap) would iterate " + r.differentFromHashSet
            + " of them in another order");
        for (String line : lines) {
            out.println(line);
        }
        out.close();
    }

    /** Inserts the ids in order into a set built as ServerCnxn builds its authInfo; renders the case. */
    String record(List<Id> inserted) {
        Set<Id> set = Collections.newSetFromMap(new ConcurrentHashMap<Id, Boolean>());
        Set<Id> hashSet = new HashSet<>();
        for (Id id : inserted) {
            set.add(id);
            hashSet.add(id);
        }
        List<Id> order = new ArrayList<>(set);
        if (!order.equals(new ArrayList<>(hashSet))) {
            differentFromHashSet++;
        }
        return render(inserted) + " => " + render(order);
    }

    static String render(List<Id> ids) {
        StringBuilder sb = new StringBuilder();
        for (Id id : ids) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(id.getScheme()).append(':').append(id.getId());
        }
        return sb.toString();
    }

    String name(int maxLength) {
        int n = 1 + random.nextInt(maxLength);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(NAME_CHARS.charAt(random.nextInt(NAME_CHARS.length())));
        }
        return sb.toString();
    }

    /** A digest id as addauth makes it; after the first cases a short one (the order depends on the hash, not the form). */
    Id digest(String credentials) throws Exception {
        return ++made <= 400
            ? new Id("digest", DigestAuthenticationProvider.generateDigest(credentials))
            : new Id("digest", credentials.length() > 6 ? credentials.substring(0, 6) + ":h" : credentials + ":h");
    }

    Id ip() {
        return new Id("ip", random.nextInt(4) == 0
            ? "127.0.0.1"
            : random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256));
    }

    /** An ip id first (when asked), then count addauths; each later one re-adds an earlier id with the given chance. */
    List<Id> digestCase(int count, boolean withIp, double repeat) throws Exception {
        List<Id> ids = new ArrayList<>();
        if (withIp) {
            ids.add(ip());
        }
        for (int i = 0; i < count; i++) {
            if (!ids.isEmpty() && random.nextDouble() < repeat) {
                ids.add(ids.get(random.nextInt(ids.size())));
            } else {
                ids.add(digest(name(8) + ":" + name(12)));
            }
        }
        return ids;
    }

    /** k ids with equal hash codes ("Aa" and "BB" hash alike) among random ones: one bin grows, is treeified. */
    List<Id> collidingCase(int k) throws Exception {
        List<Id> ids = new ArrayList<>(digestCase(random.nextInt(60), true, 0));
        for (int i = 0; i < k; i++) {
            StringBuilder sb = new StringBuilder();
            for (int bit = 0; bit < 6; bit++) {
                sb.append(((i >> bit) & 1) == 0 ? "Aa" : "BB");
            }
            ids.add(new Id("digest", sb + ":h"));
            if (random.nextInt(3) == 0) {
                ids.add(digest(name(8) + ":" + name(8)));
            }
            if (random.nextInt(5) == 0) {
                ids.add(ids.get(random.nextInt(ids.size())));
            }
        }
        return ids;
    }

    static int spread(int h) {
        return (h ^ (h >>> 16)) & 0x7fffffff;
    }

    /** A digest id whose spread hash falls in the given bin of a table of the given size. */
    Id inBin(int bin, int tableSize) throws Exception {
        while (true) {
            Id id = digest(name(6) + ":" + name(6));
            if ((spread(id.hashCode()) & (tableSize - 1)) == bin) {
                return id;
            }
        }
    }

    /** k ids in one bin of the first 16-bin table: the 9th grows the table before it is ever resized by count. */
    List<Id> sameBinCase(int k) throws Exception {
        List<Id> ids = new ArrayList<>();
        ids.add(ip());
        int bin = random.nextInt(16);
        for (int i = 0; i < k; i++) {
            ids.add(inBin(bin, 16));
        }
        ids.addAll(digestCase(random.nextInt(20), false, 0.2));
        return ids;
    }

    /** Fills a 64-bin table, puts k ids in one bin (a tree bin from the 9th), then forces the resize that splits it. */
    List<Id> treeSplitCase(int k) throws Exception {
        List<Id> ids = new ArrayList<>(digestCase(30, true, 0));
        int bin = random.nextInt(64);
        for (int i = 0; i < k; i++) {
            ids.add(inBin(bin, 64));
            if (i == k - 1) {
                ids.add(ids.get(ids.size() - 1 - random.nextInt(3)));
            }
        }
        ids.addAll(digestCase(25, false, 0.1));
        return ids;
    }
}
