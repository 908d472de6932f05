"""Nodes: create (persistent, ephemeral, sequential, with create2's stat, makepath), exists, get,
set (with and without a version), get_children (with the parent's stat), delete, sync; how stats
move (versions, cversion, pzxid, zxids and times relative to each other); non-ASCII names and data."""
from harness import *

c = client()
other = client()
R = "/kazoo-nodes"
fresh_root(c, R)

log("create a:", c.create(R + "/a", b"hello"))
path, s = c.create(R + "/b", b"xyz", include_data=True)
log("create b with stat:", path, stat(s))
b = c.exists(R + "/b")
log("  create2's stat is the node's:", (b.czxid, b.mzxid, b.pzxid, b.ctime, b.mtime) == (s.czxid, s.mzxid, s.pzxid, s.ctime, s.mtime))
log("  czxid == mzxid == pzxid:", b.czxid == b.mzxid == b.pzxid, "ctime == mtime:", b.ctime == b.mtime)
log("create empty:", c.create(R + "/empty"))
log("get empty:", c.get(R + "/empty")[0])
log("create makepath:", c.create(R + "/x/y/z", b"deep", makepath=True))
log("exists x/y:", stat(c.exists(R + "/x/y")))
log("exists missing:", c.exists(R + "/missing"))

data, s = c.get(R + "/a")
log("get a:", data, stat(s))
before = s
s = c.set(R + "/a", b"world")
log("set a:", stat(s))
log("  mzxid grew:", s.mzxid > before.mzxid, "czxid kept:", s.czxid == before.czxid, "mtime >= ctime:", s.mtime >= s.ctime)
log("set a version 1:", stat(c.set(R + "/a", b"again", version=1)))
log("set a version 1 again:", outcome(c.set, R + "/a", b"no", version=1))
log("get a:", c.get(R + "/a")[0], stat(c.get(R + "/a")[1]))
log("set a to 1000 bytes:", stat(c.set(R + "/a", b"z" * 1000)))
log("get a length:", len(c.get(R + "/a")[0]))

children, s = c.get_children(R, include_data=True)
log("children of root:", sorted(children), stat(s))
x = c.exists(R + "/x")
log("  root pzxid is its last child's czxid:", s.pzxid == x.czxid)
log("children of x:", c.get_children(R + "/x"))
log("children of a leaf:", c.get_children(R + "/b"))

log("sequential:")
for prefix in ("n-", "n-", "m-", ""):
    log("  create", prefix or "(no prefix)", "->", c.create(R + "/seq/" + prefix, b"", sequence=True, makepath=True))
log("  delete n-0000000000:", c.delete(R + "/seq/n-0000000000"))
log("  create n- ->", c.create(R + "/seq/n-", sequence=True))
log("  seq children:", sorted(c.get_children(R + "/seq")), stat(c.exists(R + "/seq")))

log("ephemeral:")
log("  create:", c.create(R + "/eph", b"e", ephemeral=True))
log("  its stat, seen by its session:", stat(c.exists(R + "/eph"), c))
log("  its stat, seen by another session:", stat(other.exists(R + "/eph"), other))
log("  ephemeral sequential:", c.create(R + "/eph-", ephemeral=True, sequence=True))
log("  a persistent node's owner:", stat(c.exists(R + "/a"), c))

log("delete:")
log("  b:", c.delete(R + "/b"), "exists after:", c.exists(R + "/b"))
log("  a with version 2:", outcome(c.delete, R + "/a", version=2))
log("  a with its version:", c.delete(R + "/a", version=c.exists(R + "/a").version))
log("  x recursively:", c.delete(R + "/x", recursive=True), "exists after:", c.exists(R + "/x"))
log("  root stat:", stat(c.exists(R)))

log("sync:", c.sync(R))
log("a write by one session, read by another after sync:")
c.create(R + "/shared", b"v1")
other.sync(R + "/shared")
log("  ", other.get(R + "/shared")[0])

log("non-ASCII:")
log("  create:", c.create(R + "/\u00fc", "donn\u00e9es".encode("utf-8")))
log("  get:", c.get(R + "/\u00fc")[0].decode("utf-8"))
log("  create:", c.create(R + "/\u4e2d\u6587", "\u6570\u636e".encode("utf-8")))
log("  children:", sorted(c.get_children(R)))

c.delete(R, recursive=True)
other.stop()
c.stop()
log("done")
