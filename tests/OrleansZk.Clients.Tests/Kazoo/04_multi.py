"""Transactions (multi): a successful one and its per-op results; failing ones, with every op's
result (0 for the ops before the failing one, its error, RuntimeInconsistency after) and nothing
applied; ops that depend on earlier ops of the same multi; sequential creates; the watch events
a multi fires (all of a successful one, none of a failed one)."""
from harness import *

c = client()
watcher = client()
events = Events()
R = "/kazoo-multi"
fresh_root(c, R)
c.create(R + "/a", b"0")


def results(rs):
    return "[" + ", ".join(
        error(r) if isinstance(r, Exception) else (stat(r) if hasattr(r, "mzxid") else str(r)) for r in rs) + "]"


def commit(*ops):
    t = c.transaction()
    for op in ops:
        getattr(t, op[0])(*op[1:])
    return results(t.commit())


log("empty:", commit())
before = c.exists(R + "/a")
log("create, set, check, create child, delete child:", commit(
    ("create", R + "/b", b"1"), ("set_data", R + "/a", b"1", 0), ("check", R + "/a", 1),
    ("create", R + "/b/c"), ("delete", R + "/b/c")))
after = c.exists(R + "/a")
log("  a:", c.get(R + "/a")[0], stat(after), "b:", c.get_children(R + "/b"), stat(c.exists(R + "/b")))
b = c.exists(R + "/b")
log("  the ops share one zxid:", b.czxid == after.mzxid, "later than before:", after.mzxid > before.mzxid)

log("failing at a check:", commit(("create", R + "/x"), ("check", R + "/a", 99), ("set_data", R + "/a", b"no")))
log("  x:", c.exists(R + "/x"), "a:", stat(c.exists(R + "/a")))
log("failing at the first op:", commit(("create", R + "/a"), ("delete", R + "/b")))
log("failing at the last op:", commit(("set_data", R + "/a", b"2"), ("delete", R + "/b"), ("delete", R + "/missing")))
log("  a:", c.get(R + "/a")[0], "b:", stat(c.exists(R + "/b")))
log("NotEmpty:", commit(("delete", R + "/a"), ("create", R + "/b/c"), ("delete", R + "/b")))
log("NoChildrenForEphemerals:", commit(("create", R + "/e", b"", None, True), ("create", R + "/e/c")))
log("BadVersion in a delete:", commit(("delete", R + "/a", 5)))
log("a create then a create under it:", commit(("create", R + "/p"), ("create", R + "/p/q")))
log("sequential creates:", commit(("create", R + "/s-", b"", None, False, True), ("create", R + "/s-", b"", None, False, True)))
log("ephemeral:", commit(("create", R + "/eph", b"", None, True)), stat(c.exists(R + "/eph"), c))
log("the same node twice:", commit(("set_data", R + "/a", b"3", 1), ("set_data", R + "/a", b"4", 2)), stat(c.exists(R + "/a")))

log("events:")
watcher.get(R + "/a", watch=events.watch("data a"))
watcher.get_children(R + "/b", watch=events.watch("child b"))
watcher.exists(R + "/n", watch=events.watch("exists n"))
log("  a failed multi:", commit(("set_data", R + "/a", b"5"), ("create", R + "/b/d"), ("create", R + "/n"), ("check", R + "/a", 0)))
events.quiet(watcher)
log("  a successful one:", commit(("set_data", R + "/a", b"5"), ("create", R + "/b/d"), ("create", R + "/n")))
events.expect(3)
events.quiet(watcher)

watcher.stop()
c.delete(R, recursive=True)
c.stop()
log("done")
