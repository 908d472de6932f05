import static org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.data.Id;

/**
 * Reads kazoo cannot send: multiRead (each op answered on its own, errors included),
 * getAllChildrenNumber, getEphemerals (all, and by path prefix; only the session's own), and
 * whoAmI (the connection's ip identity, then digest identities added by addauth).
 */
final class Reads {
    private Reads() {
    }

    static void run() throws Exception {
        ZooKeeper zk = Harness.connect();
        ZooKeeper other = Harness.connect();
        String r = "/java-reads";
        Harness.freshRoot(zk, r);
        zk.create(r + "/a", Harness.bytes("A"), OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.create(r + "/a/x", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.create(r + "/a/y", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.create(r + "/a/y/z", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.create(r + "/secret", Harness.bytes("S"), 
            // A mutable list: the client's ACL check asks it whether it contains null.
            new ArrayList<>(List.of(new ACL(ZooDefs.Perms.ALL, new Id("digest", "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=")))), CreateMode.PERSISTENT);

        Harness.log("multiRead:");
        List<OpResult> results = zk.multi(Arrays.asList(
            Op.getData(r + "/a"), Op.getChildren(r + "/a"), Op.getData(r + "/missing"), Op.getChildren(r + "/missing"),
            Op.getData(r + "/secret"), Op.getChildren(r + "/a/x")));
        for (OpResult result : results) Harness.log("  " + render(result, zk));
        Harness.log("  empty:", zk.multi(new ArrayList<>()));

        Harness.log("getAllChildrenNumber:");
        Harness.log("  of a:", zk.getAllChildrenNumber(r + "/a"), "of a leaf:", zk.getAllChildrenNumber(r + "/a/x"),
            "of the root of this section:", zk.getAllChildrenNumber(r));
        Harness.log("  of a missing node:", Harness.outcome(() -> zk.getAllChildrenNumber(r + "/missing")));

        Harness.log("getEphemerals:");
        Harness.log("  none yet:", zk.getEphemerals());
        zk.create(r + "/e1", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        zk.create(r + "/a/e2", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        zk.create(r + "/eph-", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL);
        other.create(r + "/e-other", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        Harness.log("  all of the session's:", Harness.sorted(zk.getEphemerals()));
        Harness.log("  with prefix " + r + "/e:", Harness.sorted(zk.getEphemerals(r + "/e")));
        Harness.log("  with prefix " + r + "/a:", Harness.sorted(zk.getEphemerals(r + "/a")));
        Harness.log("  with prefix /nothing:", zk.getEphemerals("/nothing"));
        Harness.log("  the other session's:", Harness.sorted(other.getEphemerals("/")));

        Harness.log("whoAmI:");
        Harness.log("  before addauth:", identities(zk));
        zk.addAuthInfo("digest", Harness.bytes("alice:secret"));
        Harness.log("  after addauth digest alice:", identities(zk));
        Harness.log("  and now the multiRead of the secret:", render(zk.multi(List.of(Op.getData(r + "/secret"))).get(0), zk));
        zk.addAuthInfo("digest", Harness.bytes("bob:pw"));
        Harness.log("  after addauth digest bob:", identities(zk));
        Harness.log("  another session:", identities(other));

        other.close();
        zk.close();
    }

    private static List<String> identities(ZooKeeper zk) throws Exception {
        List<String> ids = new ArrayList<>();
        for (ClientInfo info : zk.whoAmI()) ids.add(info.getAuthScheme() + ":" + info.getUser());
        return Harness.sorted(ids);
    }

    private static String render(OpResult result, ZooKeeper zk) {
        if (result instanceof OpResult.GetDataResult) {
            OpResult.GetDataResult data = (OpResult.GetDataResult) result;
            return "getData " + Harness.text(data.getData()) + " " + Harness.stat(data.getStat(), zk);
        }
        if (result instanceof OpResult.GetChildrenResult) {
            return "getChildren " + Harness.sorted(((OpResult.GetChildrenResult) result).getChildren());
        }
        if (result instanceof OpResult.ErrorResult) {
            int err = ((OpResult.ErrorResult) result).getErr();
            return Harness.error(org.apache.zookeeper.KeeperException.Code.get(err));
        }
        return result.getClass().getSimpleName();
    }
}
