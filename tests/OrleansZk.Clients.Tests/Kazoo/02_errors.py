"""Error codes: each request that ZooKeeper refuses, with the code the server answers (kazoo
raises the matching exception): NoNode, NodeExists, BadVersion, NotEmpty,
NoChildrenForEphemerals, InvalidACL, NoAuth, BadArguments. Nothing a refused request touches
changes (versions, children, the sequence counter)."""
from kazoo.security import ACL, Id, Permissions, make_acl
from harness import *

c = client()
R = "/kazoo-errors"
fresh_root(c, R)
c.create(R + "/a", b"x")
c.create(R + "/a/b")
c.create(R + "/eph", ephemeral=True)

log("NoNode:")
log("  get:", outcome(c.get, R + "/missing"))
log("  set:", outcome(c.set, R + "/missing", b"x"))
log("  delete:", outcome(c.delete, R + "/missing"))
log("  get_children:", outcome(c.get_children, R + "/missing"))
log("  get_children with stat:", outcome(c.get_children, R + "/missing", include_data=True))
log("  get_acls:", outcome(c.get_acls, R + "/missing"))
log("  set_acls:", outcome(c.set_acls, R + "/missing", [make_acl("world", "anyone", all=True)]))
log("  create under a missing parent:", outcome(c.create, R + "/missing/child"))
log("  sequential create under a missing parent:", outcome(c.create, R + "/missing/s-", sequence=True))
log("  sync:", outcome(c.sync, R + "/missing"))
log("  exists (no error):", c.exists(R + "/missing"))

log("NodeExists:")
log("  create:", outcome(c.create, R + "/a"))
log("  create ephemeral:", outcome(c.create, R + "/a", ephemeral=True))
log("  the root:", outcome(c.create, "/"))
log("  /zookeeper:", outcome(c.create, "/zookeeper"))

log("BadVersion:")
log("  set:", outcome(c.set, R + "/a", b"y", version=3))
log("  delete:", outcome(c.delete, R + "/a/b", version=1))
log("  set_acls:", outcome(c.set_acls, R + "/a", [make_acl("world", "anyone", all=True)], version=2))
log("  a after:", c.get(R + "/a")[0], stat(c.exists(R + "/a")))

log("NotEmpty:")
log("  delete:", outcome(c.delete, R + "/a"))
log("  delete with the right version:", outcome(c.delete, R + "/a", version=0))
log("  a's children after:", c.get_children(R + "/a"))

log("NoChildrenForEphemerals:")
log("  create:", outcome(c.create, R + "/eph/child"))
log("  create sequential:", outcome(c.create, R + "/eph/s-", sequence=True))
log("  create ephemeral:", outcome(c.create, R + "/eph/e", ephemeral=True))

log("InvalidACL:")
log("  set_acls to no entries:", outcome(c.set_acls, R + "/a", []))
log("  create with auth:: and no identity:", outcome(c.create, R + "/auth", acl=[ACL(Permissions.ALL, Id("auth", ""))]))
log("  create with an unknown scheme:", outcome(c.create, R + "/odd", acl=[ACL(Permissions.ALL, Id("nosuch", "x"))]))
log("  create with a malformed digest id:", outcome(c.create, R + "/odd", acl=[ACL(Permissions.ALL, Id("digest", "no-colon"))]))
log("  create with a malformed ip:", outcome(c.create, R + "/odd", acl=[ACL(Permissions.ALL, Id("ip", "300.1.2.3"))]))
log("  InvalidACL before NoNode:", outcome(c.create, R + "/missing/x", acl=[ACL(Permissions.ALL, Id("nosuch", "x"))]))
log("  a's acl after:", acls(c.get_acls(R + "/a")[0]), stat(c.get_acls(R + "/a")[1]))

log("NoAuth:")
log("  set /zookeeper/config:", outcome(c.set, "/zookeeper/config", b"x"))
c.create(R + "/ro", b"r", acl=[make_acl("world", "anyone", read=True)])
log("  set a read-only node:", outcome(c.set, R + "/ro", b"w"))
log("  create under it:", outcome(c.create, R + "/ro/child"))
log("  sequential create under it:", outcome(c.create, R + "/ro/s-", sequence=True))
c.create(R + "/ro2")
c.create(R + "/ro2/c")
c.set_acls(R + "/ro2", [make_acl("world", "anyone", read=True, admin=True)])
log("  create an existing child of a parent without create (NoAuth before NodeExists):", outcome(c.create, R + "/ro2/c"))
log("  delete a child of a parent without delete:", outcome(c.delete, R + "/ro2/c"))
c.set_acls(R + "/ro2", [make_acl("world", "anyone", read=True, create=True, admin=True)])
log("  NodeExists once the parent allows create:", outcome(c.create, R + "/ro2/c"))
c.set_acls(R + "/ro2", [make_acl("world", "anyone", all=True)])

log("BadArguments:")
log("  delete /:", outcome(c.delete, "/"))
log("  delete /zookeeper:", outcome(c.delete, "/zookeeper"))

log("the sequence counter after refused creates:", c.create(R + "/s-", sequence=True))

c.delete(R, recursive=True)
c.stop()
log("done")
