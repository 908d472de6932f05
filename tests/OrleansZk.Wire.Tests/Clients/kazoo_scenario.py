"""Debian's python3-kazoo (unmodified) against an OrleansZk client port.

Usage: /usr/bin/python3 kazoo_scenario.py HOST:PORT
Prints "OK <step>" per step that behaved as ZooKeeper documents, "FAIL <step>: why" otherwise,
and exits 0 only when every step passed.
"""
import queue
import sys
import time
import traceback

from kazoo.client import KazooClient
from kazoo.exceptions import (BadVersionError, NoAuthError, NodeExistsError, NoNodeError,
                              NotEmptyError, RolledBackError, SessionExpiredError)
from kazoo.protocol.states import EventType, KazooState
from kazoo.security import make_digest_acl, make_acl, OPEN_ACL_UNSAFE

target = sys.argv[1]
failures = 0


def step(name, fn):
    global failures
    try:
        fn()
        print("OK " + name, flush=True)
    except Exception as e:  # noqa: BLE001 - every failure is reported
        failures += 1
        print("FAIL %s: %r %s" % (name, e, traceback.format_exc().splitlines()[-2].strip()), flush=True)


def check(ok, what):
    if not ok:
        raise AssertionError(what)


def next_event(q, what):
    try:
        return q.get(timeout=10)
    except queue.Empty:
        raise AssertionError("no event: " + what)


def client(**kw):
    zk = KazooClient(hosts=target, timeout=10, **kw)
    zk.start(timeout=20)
    return zk


zk = client()
other = client()
root = "/kazoo-%d" % time.monotonic_ns()


def crud():
    zk.create(root, b"v1")
    try:
        zk.create(root, b"")
        raise AssertionError("no NodeExists")
    except NodeExistsError:
        pass
    path = zk.create(root + "/s-", b"", ephemeral=True, sequence=True)
    check(path == root + "/s-0000000000", path)
    data, stat = zk.get(root)
    check(data == b"v1" and stat.version == 0, (data, stat))
    stat = zk.set(root, b"v2", version=0)
    check(stat.version == 1, stat)
    try:
        zk.set(root, b"v3", version=7)
        raise AssertionError("no BadVersion")
    except BadVersionError:
        pass
    check(zk.exists(root + "/none") is None, "exists")
    try:
        zk.get(root + "/none")
        raise AssertionError("no NoNode")
    except NoNodeError:
        pass
    check(zk.get_children(root) == ["s-0000000000"], "children")
    kids, stat = zk.get_children(root, include_data=True)
    check(stat.numChildren == 1, stat)


def watches():
    q = queue.Queue()
    zk.get(root, watch=q.put)
    other.set(root, b"w")
    e = next_event(q, "changed")
    check(e.type == EventType.CHANGED and e.path == root, e)
    zk.exists(root + "/later", watch=q.put)
    other.create(root + "/later")
    e = next_event(q, "created")
    check(e.type == EventType.CREATED, e)
    zk.get_children(root, watch=q.put)
    other.create(root + "/more")
    e = next_event(q, "child")
    check(e.type == EventType.CHILD and e.path == root, e)
    zk.get(root + "/more", watch=q.put)
    other.delete(root + "/more")
    e = next_event(q, "deleted")
    check(e.type == EventType.DELETED, e)


def acls():
    zk.add_auth("digest", "bob:pw")
    zk.create(root + "/bob", b"b", acl=[make_digest_acl("bob", "pw", all=True)])
    check(zk.get(root + "/bob")[0] == b"b", "owner")
    try:
        other.get(root + "/bob")
        raise AssertionError("no NoAuth")
    except NoAuthError:
        pass
    zk.create(root + "/ip", b"i", acl=[make_acl("ip", "127.0.0.1", all=True)])
    check(other.get(root + "/ip")[0] == b"i", "ip reads")
    acl, _ = zk.get_acls(root + "/ip")
    check(acl[0].id.scheme == "ip", acl)


def transactions():
    t = zk.transaction()
    t.create(root + "/t", b"1")
    t.set_data(root + "/t", b"2")
    t.check(root + "/t", 1)
    results = t.commit()
    check(results[0] == root + "/t" and results[2] is True, results)
    t = zk.transaction()
    t.create(root + "/u", b"")
    t.check(root + "/t", 9)
    results = t.commit()
    check(isinstance(results[0], RolledBackError) and isinstance(results[1], BadVersionError), results)
    check(zk.exists(root + "/u") is None, "rolled back")


def sync_and_delete():
    zk.sync(root)
    try:
        zk.delete(root)
        raise AssertionError("no NotEmpty")
    except NotEmptyError:
        pass


def resume():
    # A session of its own, whose first client gives up once the server closes its connection for
    # the resumed one: kazoo would otherwise reconnect with the same session and take it back (two
    # clients of one session fight over it, on ZooKeeper as here), failing the second's calls.
    first = KazooClient(hosts=target, timeout=10, connection_retry={"max_tries": 0})
    first.start(timeout=20)
    node = first.create(root + "/resumed-", b"", ephemeral=True, sequence=True)
    session_id, password = first.client_id
    again = KazooClient(hosts=target, timeout=10, client_id=(session_id, password))
    again.start(timeout=20)
    check(again.client_id[0] == session_id, "same session")
    check(again.exists(node) is not None, "ephemeral kept")
    again.stop()  # closes the TCP connection only after closing the session: do not use it further
    again.close()
    first.stop()
    first.close()


def expired_resume():
    bad = KazooClient(hosts=target, timeout=10, client_id=(0x7fffffff, b"\0" * 16), connection_retry={"max_tries": 1})
    states = []
    bad.add_listener(states.append)
    try:
        bad.start(timeout=10)
    except Exception:  # noqa: BLE001 - kazoo raises on an expired session at start, by version
        pass
    # The server answered "expired" (timeout 0, session 0): kazoo never holds the unknown session.
    check(bad.client_id is None or bad.client_id[0] != 0x7fffffff, (bad.client_id, states))
    bad.stop()
    bad.close()


step("create, get, set, exists, children and their errors", crud)
step("data, exists, child and delete watches", watches)
step("digest and ip ACLs", acls)
step("transactions and their rollback", transactions)
step("sync, NotEmpty", sync_and_delete)
step("resume the session on a new connection", resume)
step("resume an unknown session: never granted", expired_resume)
zk.stop()
zk.close()
other.stop()
other.close()
print("ALL OK" if failures == 0 else "%d FAILED" % failures, flush=True)
sys.exit(0 if failures == 0 else 1)
