"""ACLs per scheme (world, auth, digest, ip) and permission (read, write, create, delete, admin),
get_acls / set_acls with versions, and addauth: digest identities, several per session, wrong
passwords, and a scheme the server does not know (AuthFailed)."""
from kazoo.security import ACL, Id, Permissions, make_acl, make_digest_acl
from harness import *

owner = client()
R = "/kazoo-acls"
owner.create(R)
anonymous = client()

log("world:")
owner.create(R + "/open", b"o")
a, s = owner.get_acls(R + "/open")
log("  default acl:", acls(a), stat(s))
log("  set_acls read + admin, version 0:", stat(owner.set_acls(R + "/open", [make_acl("world", "anyone", read=True, admin=True)], version=0)))
log("  set_acls, version 0 again:", outcome(owner.set_acls, R + "/open", [make_acl("world", "anyone", all=True)], version=0))
log("  get_acls:", acls(owner.get_acls(R + "/open")[0]))
log("  another session get:", anonymous.get(R + "/open")[0])
log("  set:", outcome(anonymous.set, R + "/open", b"x"))
log("  create child:", outcome(anonymous.create, R + "/open/c"))
log("  set_acls read-only (anyone may administer it):", stat(anonymous.set_acls(R + "/open", [make_acl("world", "anyone", read=True)], version=1)))
log("  set_acls back (no one may now):", outcome(owner.set_acls, R + "/open", [make_acl("world", "anyone", all=True)]))
log("  get_acls (read is enough):", acls(anonymous.get_acls(R + "/open")[0]))

log("one permission each:")
for perm in ("read", "write", "create", "delete", "admin"):
    path = R + "/only-" + perm
    owner.create(path, b"d")
    owner.create(path + "/victim")
    owner.set_acls(path, [make_acl("world", "anyone", **{perm: True})])
    results = [
        "get=" + ("ok" if outcome(anonymous.get, path) != "ERR NoAuthError(-102)" else "NoAuth"),
        "get_children=" + ("ok" if outcome(anonymous.get_children, path) != "ERR NoAuthError(-102)" else "NoAuth"),
        "exists=" + ("ok" if anonymous.exists(path) is not None else "None"),
        "set=" + ("ok" if outcome(anonymous.set, path, b"w") != "ERR NoAuthError(-102)" else "NoAuth"),
        "create=" + ("ok" if outcome(anonymous.create, path + "/new") != "ERR NoAuthError(-102)" else "NoAuth"),
        "delete child=" + ("ok" if outcome(anonymous.delete, path + "/victim") != "ERR NoAuthError(-102)" else "NoAuth"),
        "set_acls=" + ("ok" if outcome(anonymous.set_acls, path, [make_acl("world", "anyone", **{perm: True})]) != "ERR NoAuthError(-102)" else "NoAuth"),
    ]
    log("  " + perm + ":", " ".join(results))
owner.create(R + "/union", acl=[make_acl("world", "anyone", read=True), make_acl("world", "anyone", write=True)])
log("  read + write entries: get", outcome(anonymous.get, R + "/union")[0], "set", stat(outcome(anonymous.set, R + "/union", b"u")))

log("digest:")
alice_acl = make_digest_acl("alice", "secret", all=True)
log("  acl id:", acls([alice_acl]))
owner.create(R + "/alice", b"a", acl=[alice_acl])
log("  anonymous get:", outcome(anonymous.get, R + "/alice"))
wrong = client()
log("  addauth alice with a wrong password:", wrong.add_auth("digest", "alice:wrong"))
log("  then get:", outcome(wrong.get, R + "/alice"))
alice = client()
log("  addauth alice:", alice.add_auth("digest", "alice:secret"))
log("  then get:", alice.get(R + "/alice")[0], "set:", stat(alice.set(R + "/alice", b"A")))
log("  the owner (no identity) get:", outcome(owner.get, R + "/alice"))
log("  anonymous get_acls (needs read or admin):", outcome(anonymous.get_acls, R + "/alice"))
owner.create(R + "/admin-only", acl=[make_acl("world", "anyone", admin=True)])
log("  get_acls of a node anyone may administer:", acls(anonymous.get_acls(R + "/admin-only")[0]))

log("auth (the creator's identities):")
log("  alice creates with auth::cdrwa:", alice.create(R + "/mine", b"m", acl=[ACL(Permissions.ALL, Id("auth", ""))]))
log("  its acl:", acls(alice.get_acls(R + "/mine")[0]))
both = client()
both.add_auth("digest", "alice:secret")
both.add_auth("digest", "bob:pw")
log("  a session with two identities creates with auth::rw:", both.create(R + "/ours", acl=[ACL(Permissions.READ | Permissions.WRITE, Id("auth", ""))]))
log("  its acl, sorted (digests read without admin show x):", acls(sorted(both.get_acls(R + "/ours")[0], key=lambda e: e.id.id)))
bob = client()
bob.add_auth("digest", "bob:pw")
log("  bob alone get:", bob.get(R + "/ours")[0], "set:", stat(bob.set(R + "/ours", b"b")))
log("  anonymous get:", outcome(anonymous.get, R + "/ours"))
log("  set_acls with auth:: by alice:", stat(alice.set_acls(R + "/mine", [ACL(Permissions.READ | Permissions.ADMIN, Id("auth", ""))])), acls(alice.get_acls(R + "/mine")[0]))

log("ip (the connection's address; clients here connect from 127.0.0.1):")
for ip in ("127.0.0.1", "127.0.0.0/8", "127.0.0.1/32", "10.1.2.3", "10.0.0.0/8", "192.168.0.0/16"):
    path = R + "/ip-" + ip.replace("/", "_")
    owner.create(path, b"i", acl=[make_acl("ip", ip, read=True), make_acl("world", "anyone", admin=True)])
    result = outcome(anonymous.get, path)
    log("  ip:%s get:" % ip, result if isinstance(result, str) else result[0])
relayed = client(relay=True)
log("  through the relay, ip:127.0.0.1 get:", relayed.get(R + "/ip-127.0.0.1")[0])
relayed.stop()

log("addauth with a scheme the server does not know:")
refused = client()
states = States(refused)
log("  addauth:", outcome(refused.add_auth, "nosuch", "thing"))
states.wait_for(KazooState.LOST)
log("  the client's state went LOST")
refused.stop()

# The nodes stay: some can be deleted by no one without their identities (the target is new for each run).
for c in (wrong, alice, both, bob, anonymous, owner):
    c.stop()
log("done")
