"""Sessions: ephemerals live exactly as long as their session; a session resumes on a new
connection (cut by the relay, moved to the target's next server, across a restart of the
target) with its id, its ephemerals and its identities; a session resumed by a second client
with the first one's id and password, and closed by it, expires for the first (kazoo's own way
to force an expiry); a session cut off for longer than its timeout expires (its ephemerals go,
its watchers are told), and kazoo then starts a new one; a wrong password gets a new session and
leaves the named one alone."""
from kazoo.security import make_digest_acl
from harness import *

observer = client()
observer_states = States(observer)
events = Events()
R = "/kazoo-sessions"
fresh_root(observer, R)
observer.create(R + "/secret", b"s", acl=[make_digest_acl("carol", "pw", all=True)])


def ephemeral_of(c, name):
    path = c.create(R + "/" + name, ephemeral=True)
    watch_for_delete(path, name)
    return path


def watch_for_delete(path, name):
    observer.exists(path, watch=events.watch("exists " + name))


log("close:")
c = client()
ephemeral_of(c, "closed")
c.stop()
log("  the client closed its session")
events.expect(1)
log("  the ephemeral:", observer.exists(R + "/closed"))

for action in ("cut", "switch", "restart"):
    log("resume after", action + ":")
    c = client(relay=True, timeout=10.0)
    states = States(c)
    session = c.client_id
    c.add_auth("digest", "carol:pw")
    path = c.create(R + "/" + action, ephemeral=True)
    act(action)
    states.wait_for(KazooState.SUSPENDED)
    states.wait_for(KazooState.CONNECTED)
    log("  suspended, then connected again; same session:", c.client_id == session)
    if action == "restart":
        # The observer's own connection went down with the server too (and kazoo dropped its watches).
        observer_states.wait_for(KazooState.SUSPENDED)
        observer_states.wait_for(KazooState.CONNECTED)
    watch_for_delete(path, action)
    log("  its ephemeral, as its session sees it:", stat(c.exists(path), c))
    log("  its identity still counts:", c.get(R + "/secret")[0])
    log("  a new write:", c.create(R + "/after-" + action, ephemeral=True))
    events.quiet(observer)
    c.stop()
    events.expect(1)
    log("  children after it closed:", sorted(observer.get_children(R)))

log("expiry forced by a second client that resumes the session and closes it:")
c = client(relay=True, timeout=10.0)
states = States(c)
session = c.client_id
path = ephemeral_of(c, "stolen")
second = client(client_id=session)
log("  the second client has the same session:", second.client_id[0] == session[0])
log("  it owns the ephemeral:", stat(second.exists(path), second))
second.stop()
events.expect(1)
states.wait_for(KazooState.LOST)
states.wait_for(KazooState.CONNECTED)
log("  the first client lost its session and connected with a new one:", c.client_id[0] != session[0])
log("  the ephemeral:", c.exists(path))
c.stop()

log("expiry of a session cut off for longer than its timeout:")
c = client(relay=True, timeout=2.0)
states = States(c)
session = c.client_id
path = ephemeral_of(c, "expired")
act("hold")
events.expect(1)
log("  (the session expired on the server while its client could not reach it)")
act("release")
states.wait_for(KazooState.LOST)
states.wait_for(KazooState.CONNECTED)
log("  the client learnt it on reconnecting and connected with a new session:", c.client_id[0] != session[0])
log("  the ephemeral:", c.exists(path))
log("  a new ephemeral:", stat(c.exists(c.create(path, ephemeral=True)), c))
c.stop()

log("a wrong password:")
c = client()
session = c.client_id
path = c.create(R + "/kept", ephemeral=True)
wrong = client(client_id=(session[0], b"\x00" * 16))
log("  the client connected, with a new session:", wrong.client_id[0] != session[0])
log("  the session it named lives on; its ephemeral:", stat(observer.exists(path), observer))
wrong.stop()
c.stop()
log("  gone once its own client closed it:", observer.exists(path))

observer.stop()
log("done")
