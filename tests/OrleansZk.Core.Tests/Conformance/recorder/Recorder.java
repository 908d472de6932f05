// Records Apache ZooKeeper's answers to a conformance scenario (docs/conformance.md).
// Usage: java -cp <zookeeper jars>:<classes> Recorder SCENARIO.zks OUTPUT.out
// Starts a fresh standalone ZooKeeper server in this JVM (empty temp data dir, 127.0.0.1,
// a free port), runs the scenario with the synchronous Java client, writes one answer line
// per command line, and shuts the server down.

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.PathUtils;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;

public final class Recorder {

    /** A scenario problem (not a ZooKeeper answer): aborts the recording. */
    static final class ScenarioError extends RuntimeException {
        ScenarioError(String m) { super(m); }
    }

    static final class Token {
        final String text;
        final boolean quoted;
        Token(String text, boolean quoted) { this.text = text; this.quoted = quoted; }
    }

    static final class Session {
        final String name;
        final ZooKeeper zk;
        Session(String name, ZooKeeper zk) { this.name = name; this.zk = zk; }
    }

    /** A fresh standalone ZooKeeper server in this JVM: empty temporary data directory, 127.0.0.1, a free port. */
    static final class Server implements AutoCloseable {
        private final File dataDir;
        private final ZooKeeperServer zks;
        private final ServerCnxnFactory factory;

        Server() throws Exception {
            System.setProperty("zookeeper.extendedTypesEnabled", "true");
            System.setProperty("zookeeper.admin.enableServer", "false");
            dataDir = Files.createTempDirectory("zk-conformance-").toFile();
            zks = new ZooKeeperServer(dataDir, dataDir, 2000);
            factory = ServerCnxnFactory.createFactory(new InetSocketAddress("127.0.0.1", 0), 100);
            factory.startup(zks);
        }

        String connectString() {
            return "127.0.0.1:" + factory.getLocalPort();
        }

        @Override
        public void close() {
            factory.shutdown();
            zks.shutdown();
            deleteRecursively(dataDir);
        }
    }

    private final Map<String, Session> sessions = new HashMap<>();
    /** Closed sessions stay usable by name: the Java client answers their calls itself (SessionExpired). */
    private final Map<String, Session> closedSessions = new HashMap<>();
    private final Map<Long, String> sessionNames = new HashMap<>();
    private final String connectString;

    Recorder(String connectString) {
        this.connectString = connectString;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: Recorder SCENARIO.zks OUTPUT.out");
            System.exit(2);
        }
        List<String> lines = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8);
        Server server = new Server();
        int exit = 0;
        StringBuilder out = new StringBuilder();
        Recorder r = new Recorder(server.connectString());
        try {
            int lineNo = 0;
            for (String raw : lines) {
                lineNo++;
                String line = raw.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                if (!line.equals(raw)) {
                    throw new ScenarioError(args[0] + ":" + lineNo + ": leading or trailing whitespace");
                }
                String answer;
                try {
                    answer = r.run(tokenize(line));
                } catch (ScenarioError e) {
                    throw new ScenarioError(args[0] + ":" + lineNo + ": " + e.getMessage());
                }
                out.append(line).append(" -> ").append(answer).append('\n');
            }
            r.closeAll();
            Files.writeString(Path.of(args[1]), out.toString(), StandardCharsets.UTF_8);
        } catch (ScenarioError e) {
            System.err.println("scenario error: " + e.getMessage());
            exit = 1;
        } finally {
            server.close();
        }
        System.exit(exit);
    }

    private static void deleteRecursively(File f) {
        File[] children = f.listFiles();
        if (children != null) {
            for (File c : children) {
                deleteRecursively(c);
            }
        }
        f.delete();
    }

    // ---------------------------------------------------------------- tokens

    static List<Token> tokenize(String line) {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (c == ' ') {
                i++;
                continue;
            }
            if (c == '"') {
                StringBuilder sb = new StringBuilder();
                i++;
                boolean closed = false;
                while (i < n) {
                    char d = line.charAt(i);
                    if (d == '"') {
                        closed = true;
                        i++;
                        break;
                    }
                    if (d == '\\') {
                        if (i + 1 >= n) {
                            throw new ScenarioError("dangling backslash");
                        }
                        char e = line.charAt(i + 1);
                        if (e == '"' || e == '\\') {
                            sb.append(e);
                            i += 2;
                        } else if (e == 'u') {
                            if (i + 6 > n) {
                                throw new ScenarioError("short \\u escape");
                            }
                            sb.append((char) Integer.parseInt(line.substring(i + 2, i + 6), 16));
                            i += 6;
                        } else {
                            throw new ScenarioError("unknown escape \\" + e);
                        }
                        continue;
                    }
                    sb.append(d);
                    i++;
                }
                if (!closed) {
                    throw new ScenarioError("unterminated quote");
                }
                if (i < n && line.charAt(i) != ' ') {
                    throw new ScenarioError("text right after a closing quote");
                }
                tokens.add(new Token(sb.toString(), true));
            } else {
                int start = i;
                while (i < n && line.charAt(i) != ' ') {
                    i++;
                }
                tokens.add(new Token(line.substring(start, i), false));
            }
        }
        return tokens;
    }

    static byte[] parseData(Token t) {
        if (t.quoted) {
            return t.text.getBytes(StandardCharsets.UTF_8);
        }
        if (t.text.equals("null")) {
            return null;
        }
        if (t.text.startsWith("x*")) {
            int count = Integer.parseInt(t.text.substring(2));
            byte[] b = new byte[count];
            java.util.Arrays.fill(b, (byte) 'x');
            return b;
        }
        throw new ScenarioError("bad data token " + t.text + " (use null, \"text\" or x*N)");
    }

    static List<ACL> parseAcl(Token t) {
        List<ACL> acl = new ArrayList<>();
        if (t.text.isEmpty()) {
            return acl;
        }
        for (String entry : t.text.split(",", -1)) {
            int first = entry.indexOf(':');
            int last = entry.lastIndexOf(':');
            if (first < 0 || first == last) {
                throw new ScenarioError("bad ACL entry " + entry);
            }
            String scheme = entry.substring(0, first);
            String id = entry.substring(first + 1, last);
            int perms = 0;
            for (char p : entry.substring(last + 1).toCharArray()) {
                switch (p) {
                    case 'r': perms |= ZooDefs_Perms.READ; break;
                    case 'w': perms |= ZooDefs_Perms.WRITE; break;
                    case 'c': perms |= ZooDefs_Perms.CREATE; break;
                    case 'd': perms |= ZooDefs_Perms.DELETE; break;
                    case 'a': perms |= ZooDefs_Perms.ADMIN; break;
                    default: throw new ScenarioError("bad permission letter " + p);
                }
            }
            acl.add(new ACL(perms, new Id(scheme, id)));
        }
        return acl;
    }

    static final class ZooDefs_Perms {
        static final int READ = org.apache.zookeeper.ZooDefs.Perms.READ;
        static final int WRITE = org.apache.zookeeper.ZooDefs.Perms.WRITE;
        static final int CREATE = org.apache.zookeeper.ZooDefs.Perms.CREATE;
        static final int DELETE = org.apache.zookeeper.ZooDefs.Perms.DELETE;
        static final int ADMIN = org.apache.zookeeper.ZooDefs.Perms.ADMIN;
    }

    static List<ACL> defaultAcl() {
        List<ACL> acl = new ArrayList<>();
        acl.add(new ACL(org.apache.zookeeper.ZooDefs.Perms.ALL, new Id("world", "anyone")));
        return acl;
    }

    // ---------------------------------------------------------------- rendering

    static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c >= 0x20 && c <= 0x7e) {
                sb.append(c);
            } else {
                sb.append(String.format("\\u%04X", (int) c));
            }
        }
        return sb.toString();
    }

    static String renderData(byte[] data) {
        if (data == null) {
            return "null";
        }
        if (data.length > 64) {
            return "len:" + data.length;
        }
        boolean printable = true;
        for (byte b : data) {
            if (b < 0x20 || b > 0x7e) {
                printable = false;
                break;
            }
        }
        if (printable) {
            return "\"" + escape(new String(data, StandardCharsets.US_ASCII)) + "\"";
        }
        StringBuilder sb = new StringBuilder("hex:");
        for (byte b : data) {
            sb.append(String.format("%02x", b & 0xff));
        }
        return sb.toString();
    }

    String owner(long id) {
        if (id == 0) {
            return "0";
        }
        String name = sessionNames.get(id);
        return name != null ? name : Long.toString(id);
    }

    String renderStat(Stat s) {
        if (s == null) {
            return "null";
        }
        return "{czxid=" + s.getCzxid() + " mzxid=" + s.getMzxid() + " pzxid=" + s.getPzxid()
            + " version=" + s.getVersion() + " cversion=" + s.getCversion() + " aversion=" + s.getAversion()
            + " owner=" + owner(s.getEphemeralOwner()) + " len=" + s.getDataLength()
            + " children=" + s.getNumChildren() + "}";
    }

    static String renderAcl(List<ACL> acl) {
        StringBuilder sb = new StringBuilder();
        for (ACL a : acl) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            int p = a.getPerms();
            String perms = ((p & 1) != 0 ? "r" : "") + ((p & 2) != 0 ? "w" : "") + ((p & 4) != 0 ? "c" : "")
                + ((p & 8) != 0 ? "d" : "") + ((p & 16) != 0 ? "a" : "");
            sb.append(escape(a.getId().getScheme())).append(':').append(escape(a.getId().getId())).append(':').append(perms);
        }
        return sb.toString();
    }

    static String renderList(List<String> items) {
        List<String> sorted = new ArrayList<>(items);
        Collections.sort(sorted);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < sorted.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(escape(sorted.get(i)));
        }
        return sb.append(']').toString();
    }

    // ---------------------------------------------------------------- commands

    static final class CreateArgs {
        String path;
        byte[] data;
        List<ACL> acl;
        CreateMode mode;
        long ttl = -1;
        int next;
    }

    static CreateArgs parseCreate(List<Token> t, int i, int end) {
        boolean e = false, s = false, c = false, ttl = false;
        CreateArgs a = new CreateArgs();
        while (i < end && !t.get(i).quoted && t.get(i).text.startsWith("-")) {
            switch (t.get(i).text) {
                case "-e": e = true; i++; break;
                case "-s": s = true; i++; break;
                case "-c": c = true; i++; break;
                case "-t":
                    ttl = true;
                    a.ttl = Long.parseLong(t.get(i + 1).text);
                    i += 2;
                    break;
                default: throw new ScenarioError("unknown create flag " + t.get(i).text);
            }
        }
        if (i + 2 > end) {
            throw new ScenarioError("create needs PATH DATA [ACL]");
        }
        a.path = t.get(i).text;
        a.data = parseData(t.get(i + 1));
        i += 2;
        if (i < end) {
            a.acl = parseAcl(t.get(i));
            i++;
        } else {
            a.acl = defaultAcl();
        }
        a.next = i;
        if (c) {
            if (e || s || ttl) {
                throw new ScenarioError("-c combines with no other flag");
            }
            a.mode = CreateMode.CONTAINER;
        } else if (ttl) {
            if (e) {
                throw new ScenarioError("-t cannot be ephemeral");
            }
            a.mode = s ? CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL : CreateMode.PERSISTENT_WITH_TTL;
        } else if (e) {
            a.mode = s ? CreateMode.EPHEMERAL_SEQUENTIAL : CreateMode.EPHEMERAL;
        } else {
            a.mode = s ? CreateMode.PERSISTENT_SEQUENTIAL : CreateMode.PERSISTENT;
        }
        return a;
    }

    static void expectCount(List<Token> t, int n, String usage) {
        if (t.size() != n) {
            throw new ScenarioError("usage: " + usage);
        }
    }

    String run(List<Token> t) throws Exception {
        if (t.isEmpty()) {
            throw new ScenarioError("empty command");
        }
        String first = t.get(0).text;
        if (first.equals("validate")) {
            boolean seq = t.size() == 3 && t.get(1).text.equals("-s") && !t.get(1).quoted;
            if (t.size() != (seq ? 3 : 2)) {
                throw new ScenarioError("usage: validate [-s] PATH");
            }
            try {
                PathUtils.validatePath(t.get(t.size() - 1).text, seq);
                return "OK";
            } catch (IllegalArgumentException e) {
                return "ERR -8 " + escape(e.getMessage());
            }
        }
        if (first.equals("session")) {
            expectCount(t, 2, "session NAME");
            return openSession(t.get(1).text);
        }
        if (first.equals("close")) {
            expectCount(t, 2, "close NAME");
            Session s = session(t.get(1).text);
            s.zk.close();
            sessions.remove(s.name);
            closedSessions.put(s.name, s);
            return "OK";
        }
        if (t.size() < 2) {
            throw new ScenarioError("unknown command " + first);
        }
        Session s = session(first);
        String cmd = t.get(1).text;
        try {
            return runOn(s, cmd, t);
        } catch (KeeperException e) {
            if (e.code() == KeeperException.Code.CONNECTIONLOSS) {
                awaitReconnect(s);
            }
            if (cmd.equals("multi") && e.getResults() != null) {
                StringBuilder sb = new StringBuilder("ERR " + e.code().intValue() + " [");
                List<OpResult> results = e.getResults();
                for (int i = 0; i < results.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    OpResult r = results.get(i);
                    sb.append(r instanceof OpResult.ErrorResult ? ((OpResult.ErrorResult) r).getErr() : 0);
                }
                return sb.append(']').toString();
            }
            return "ERR " + e.code().intValue();
        } catch (IllegalArgumentException e) {
            return "ERR -8 " + escape(e.getMessage());
        }
    }

    String runOn(Session s, String cmd, List<Token> t) throws Exception {
        ZooKeeper zk = s.zk;
        switch (cmd) {
            case "addauth": {
                expectCount(t, 4, "NAME addauth digest USER:PASSWORD");
                zk.addAuthInfo(t.get(2).text, t.get(3).text.getBytes(StandardCharsets.UTF_8));
                return "OK";
            }
            case "create": {
                CreateArgs a = parseCreate(t, 2, t.size());
                if (a.next != t.size()) {
                    throw new ScenarioError("extra tokens after create");
                }
                Stat stat = new Stat();
                String created = a.mode.isTTL()
                    ? zk.create(a.path, a.data, a.acl, a.mode, stat, a.ttl)
                    : zk.create(a.path, a.data, a.acl, a.mode, stat);
                return "OK " + escape(created) + " " + renderStat(stat);
            }
            case "delete": {
                expectCount(t, 4, "NAME delete PATH VERSION");
                zk.delete(t.get(2).text, Integer.parseInt(t.get(3).text));
                return "OK";
            }
            case "set": {
                expectCount(t, 5, "NAME set PATH DATA VERSION");
                Stat stat = zk.setData(t.get(2).text, parseData(t.get(3)), Integer.parseInt(t.get(4).text));
                return "OK " + renderStat(stat);
            }
            case "get": {
                expectCount(t, 3, "NAME get PATH");
                Stat stat = new Stat();
                byte[] data = zk.getData(t.get(2).text, false, stat);
                return "OK " + renderData(data) + " " + renderStat(stat);
            }
            case "stat": {
                expectCount(t, 3, "NAME stat PATH");
                return "OK " + renderStat(zk.exists(t.get(2).text, false));
            }
            case "ls": {
                expectCount(t, 3, "NAME ls PATH");
                Stat stat = new Stat();
                List<String> children = zk.getChildren(t.get(2).text, false, stat);
                return "OK " + renderList(children) + " " + renderStat(stat);
            }
            case "getacl": {
                expectCount(t, 3, "NAME getacl PATH");
                Stat stat = new Stat();
                List<ACL> acl = zk.getACL(t.get(2).text, stat);
                return "OK " + renderAcl(acl) + " " + renderStat(stat);
            }
            case "setacl": {
                expectCount(t, 5, "NAME setacl PATH ACL AVERSION");
                Stat stat = zk.setACL(t.get(2).text, parseAcl(t.get(3)), Integer.parseInt(t.get(4).text));
                return "OK " + renderStat(stat);
            }
            case "count": {
                expectCount(t, 3, "NAME count PATH");
                return "OK " + zk.getAllChildrenNumber(t.get(2).text);
            }
            case "ephemerals": {
                expectCount(t, 3, "NAME ephemerals PREFIX");
                return "OK " + renderList(zk.getEphemerals(t.get(2).text));
            }
            case "sync": {
                expectCount(t, 3, "NAME sync PATH");
                CountDownLatch done = new CountDownLatch(1);
                AtomicInteger rc = new AtomicInteger();
                zk.sync(t.get(2).text, (code, path, ctx) -> {
                    rc.set(code);
                    done.countDown();
                }, null);
                if (!done.await(30, TimeUnit.SECONDS)) {
                    throw new ScenarioError("sync timed out");
                }
                if (rc.get() != 0) {
                    throw KeeperException.create(KeeperException.Code.get(rc.get()));
                }
                return "OK";
            }
            case "multi": {
                List<Op> ops = new ArrayList<>();
                int i = 2;
                while (i < t.size()) {
                    int end = i;
                    while (end < t.size() && !(t.get(end).text.equals(";") && !t.get(end).quoted)) {
                        end++;
                    }
                    ops.add(parseOp(t, i, end));
                    i = end + 1;
                    if (end < t.size() && i >= t.size()) {
                        throw new ScenarioError("multi ends with ;");
                    }
                }
                List<OpResult> results = zk.multi(ops);
                StringBuilder sb = new StringBuilder("OK [");
                for (int k = 0; k < results.size(); k++) {
                    if (k > 0) {
                        sb.append(';');
                    }
                    OpResult r = results.get(k);
                    if (r instanceof OpResult.CreateResult) {
                        sb.append("create ").append(escape(((OpResult.CreateResult) r).getPath()));
                    } else if (r instanceof OpResult.DeleteResult) {
                        sb.append("delete");
                    } else if (r instanceof OpResult.SetDataResult) {
                        sb.append("set ").append(renderStat(((OpResult.SetDataResult) r).getStat()));
                    } else if (r instanceof OpResult.CheckResult) {
                        sb.append("check");
                    } else {
                        throw new ScenarioError("unexpected multi result " + r.getClass().getSimpleName());
                    }
                }
                return sb.append(']').toString();
            }
            default:
                throw new ScenarioError("unknown command " + cmd);
        }
    }

    static Op parseOp(List<Token> t, int i, int end) {
        if (i >= end) {
            throw new ScenarioError("empty multi op");
        }
        String op = t.get(i).text;
        switch (op) {
            case "create": {
                CreateArgs a = parseCreate(t, i + 1, end);
                if (a.next != end) {
                    throw new ScenarioError("extra tokens in multi create");
                }
                return a.mode.isTTL()
                    ? Op.create(a.path, a.data, a.acl, a.mode, a.ttl)
                    : Op.create(a.path, a.data, a.acl, a.mode);
            }
            case "delete":
                if (end - i != 3) {
                    throw new ScenarioError("multi: delete PATH VERSION");
                }
                return Op.delete(t.get(i + 1).text, Integer.parseInt(t.get(i + 2).text));
            case "set":
                if (end - i != 4) {
                    throw new ScenarioError("multi: set PATH DATA VERSION");
                }
                return Op.setData(t.get(i + 1).text, parseData(t.get(i + 2)), Integer.parseInt(t.get(i + 3).text));
            case "check":
                if (end - i != 3) {
                    throw new ScenarioError("multi: check PATH VERSION");
                }
                return Op.check(t.get(i + 1).text, Integer.parseInt(t.get(i + 2).text));
            default:
                throw new ScenarioError("unknown multi op " + op);
        }
    }

    // ---------------------------------------------------------------- sessions

    Session session(String name) {
        Session s = sessions.getOrDefault(name, closedSessions.get(name));
        if (s == null) {
            throw new ScenarioError("no session " + name);
        }
        return s;
    }

    String openSession(String name) throws Exception {
        if (sessions.containsKey(name) || closedSessions.containsKey(name)) {
            throw new ScenarioError("session " + name + " was opened before");
        }
        CountDownLatch connected = new CountDownLatch(1);
        Watcher watcher = (WatchedEvent event) -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        };
        ZKClientConfig config = new ZKClientConfig();
        // Client-side limit on *incoming* packets only, so that reading a node near the
        // server's 1 MiB request limit works. The server's limit (jute.maxbuffer) is untouched.
        config.setProperty(ZKClientConfig.JUTE_MAXBUFFER, Integer.toString(8 * 1024 * 1024));
        ZooKeeper zk = new ZooKeeper(connectString, 30000, watcher, config);
        if (!connected.await(30, TimeUnit.SECONDS)) {
            throw new ScenarioError("session " + name + " did not connect");
        }
        sessions.put(name, new Session(name, zk));
        sessionNames.put(zk.getSessionId(), name);
        return "OK";
    }

    /** After a ConnectionLoss, wait until the client has reconnected its session. */
    static void awaitReconnect(Session s) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30000;
        while (System.currentTimeMillis() < deadline) {
            try {
                s.zk.exists("/", false);
                return;
            } catch (KeeperException.ConnectionLossException e) {
                Thread.sleep(50);
            } catch (KeeperException e) {
                throw new ScenarioError("after ConnectionLoss: " + e);
            }
        }
        throw new ScenarioError("session " + s.name + " did not reconnect");
    }

    void closeAll() throws InterruptedException {
        for (Session s : sessions.values()) {
            s.zk.close();
        }
        sessions.clear();
    }

    /** Closes every session and forgets every session name: the next commands start from no session. */
    void reset() throws InterruptedException {
        closeAll();
        closedSessions.clear();
        sessionNames.clear();
    }
}
