"""What the kazoo scripts share: the log, the harness's actions, clients, waits with deadlines,
and renderings of results that are the same from run to run (no zxid, session id or time is
printed: only how they relate).

A script prints one line per result with log(); the test compares the whole log with NAME.log.
tests/OrleansZk.Clients.Tests/Support/ClientProcess.cs describes the protocol with the harness.
"""
import os
import queue
import sys
import uuid

from kazoo.client import KazooClient
from kazoo.exceptions import KazooException
from kazoo.protocol.states import KazooState
from kazoo.retry import KazooRetry

SERVERS = os.environ["ZK_SERVERS"]
RELAY = os.environ["ZK_RELAY"]

# Where Events.quiet creates its barrier nodes (no script watches there).
BARRIERS = "/kazoo-barriers"

# Every wait on a condition gives up after this many seconds (and fails the script).
DEADLINE = 20.0


def log(*parts):
    print(" ".join(str(p) for p in parts), flush=True)


def act(action):
    """Asks the harness for an action (cut, hold, release, switch, restart) and waits until it is done."""
    print("@@ " + action, flush=True)
    answer = sys.stdin.readline().strip()
    if answer != "ok":
        raise RuntimeError("the harness could not " + action + ": " + answer)


def client(relay=False, timeout=10.0, start=True, **kwargs):
    """A kazoo client of the target (through the relay when asked) that retries connecting every 50 ms, forever."""
    c = KazooClient(
        hosts=RELAY if relay else SERVERS,
        timeout=timeout,
        connection_retry=KazooRetry(max_tries=-1, delay=0.05, backoff=1, max_jitter=0, max_delay=0.05),
        **kwargs)
    if start:
        c.start(timeout=DEADLINE)
    return c


def outcome(fn, *args, **kwargs):
    """Calls fn; returns its result, or the ZooKeeper error it raised as "ERR Name(code)"."""
    try:
        return fn(*args, **kwargs)
    except KazooException as e:
        return error(e)


def error(e):
    code = getattr(type(e), "code", None)
    return "ERR %s(%s)" % (type(e).__name__, code) if code is not None else "ERR %s" % type(e).__name__


def stat(s, owner_of=None):
    """A stat without its zxids and times: versions, owner, data length, children.
    owner: "none", "self" when owner_of (a client) owns it, else "other"."""
    if s is None:
        return "None"
    if s.ephemeralOwner == 0:
        owner = "none"
    elif owner_of is not None and s.ephemeralOwner == owner_of.client_id[0]:
        owner = "self"
    else:
        owner = "other"
    return "{v=%d cv=%d av=%d owner=%s len=%d children=%d}" % (
        s.version, s.cversion, s.aversion, owner, s.dataLength, s.numChildren)


def acls(acl_list):
    """ACL entries as scheme:id:perms, perms in ZooKeeper's rwcda order."""
    def perms(p):
        return "".join(letter for bit, letter in ((1, "r"), (2, "w"), (4, "c"), (8, "d"), (16, "a")) if p & bit)
    return "[" + ",".join("%s:%s:%s" % (a.id.scheme, a.id.id, perms(a.perms)) for a in acl_list) + "]"


def fresh_root(c, path):
    """Deletes path's subtree if a former run left it, and creates path."""
    if c.exists(path):
        c.delete(path, recursive=True)
    c.create(path)


class Events:
    """Collects the events of the watches it hands out, in the order kazoo delivers them (one thread)."""

    def __init__(self):
        self._queue = queue.Queue()

    def watch(self, name):
        """A watch function that records its events as "name TYPE path"."""
        def on_event(event):
            self._queue.put("%s %s %s" % (name, event.type, event.path))
        return on_event

    def next(self):
        """The next event; fails after DEADLINE seconds without one."""
        try:
            return self._queue.get(timeout=DEADLINE)
        except queue.Empty:
            raise AssertionError("no event within %s s" % DEADLINE)

    def expect(self, n, sort=False):
        """Logs the next n events (sorted when the client calls them in no defined order)."""
        got = [self.next() for _ in range(n)]
        for event in sorted(got) if sort else got:
            log("  event", event)

    def quiet(self, c):
        """Logs "  no other event" once every event the server sent c before now has been delivered
        and none is left over. Proof: an exists watch on a new node under BARRIERS, fired by c's
        own create — the server sends c's events in order, and kazoo delivers them on one thread."""
        barrier = BARRIERS + "/" + uuid.uuid4().hex
        marker = self.watch("barrier")
        c.exists(barrier, watch=marker)
        c.create(barrier, makepath=True)
        c.delete(barrier)
        left = []
        while True:
            event = self.next()
            if event.startswith("barrier "):
                break
            left.append(event)
        log("  no other event" if not left else "  UNEXPECTED events: " + "; ".join(left))


class States:
    """Records a client's connection state changes (LOST, SUSPENDED, CONNECTED) as they happen."""

    def __init__(self, c):
        self._changes = queue.Queue()
        c.add_listener(self._changes.put)

    def wait_for(self, state):
        """Returns once the client has gone through state; fails after DEADLINE seconds."""
        while True:
            try:
                if self._changes.get(timeout=DEADLINE) == state:
                    return
            except queue.Empty:
                raise AssertionError("the client did not become %s within %s s" % (state, DEADLINE))


__all__ = ["SERVERS", "RELAY", "DEADLINE", "log", "act", "client", "outcome", "error", "stat", "acls",
           "fresh_root", "Events", "States", "KazooState"]
