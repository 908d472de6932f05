#!/usr/bin/python3
"""Latency of one request at a time through the client port with kazoo (Debian's python3-kazoo;
run it with /usr/bin/python3). Usage: bench/sync-latency.py HOST:PORT [N] [LABEL] [OP]
OP is "sync" (ZooKeeper's sync, the default) or "setData" (32 bytes on one znode).
Prints the label, N, and the p50 / p99 / max in ms (after 20 requests not counted). When the
server answers mntr with the .NET collector's figures (an OrleansZk silo that allows mntr), a
line says how many collections ran during the N requests and how long they stopped the silo,
beside what the requests above the p99 took beyond the p50: how much of the tail the collector can
explain. When the server reports ZooKeeper's updatelatency / readlatency summaries (ZooKeeper 3.8,
an OrleansZk silo), a line gives the server's own p50 / p99 of the kind (setData: updates; sync:
reads) since it started — on a fresh server, about this run: what of the latency is inside it."""
import socket
import statistics
import sys
import time

from kazoo.client import KazooClient

hosts = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
op = sys.argv[4] if len(sys.argv) > 4 else "sync"
label = sys.argv[3] if len(sys.argv) > 3 else op
if op not in ("sync", "setData"):
    sys.exit(f"OP must be sync or setData, not {op!r}")


def mntr():
    """The server's mntr keys, or {} when it does not answer mntr."""
    host, port = hosts.rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=5) as s:
            s.sendall(b"mntr")
            out = b""
            while chunk := s.recv(65536):
                out += chunk
    except OSError:
        return {}
    return dict(line.split("\t", 1) for line in out.decode().splitlines() if "\t" in line)


zk = KazooClient(hosts=hosts)
zk.start()
zk.ensure_path("/sync-latency")
request = (lambda: zk.sync("/sync-latency")) if op == "sync" else (lambda: zk.set("/sync-latency", b"x" * 32))
for _ in range(20):
    request()
before = mntr()
ms = []
for _ in range(n):
    t = time.perf_counter()
    request()
    ms.append((time.perf_counter() - t) * 1000)
after = mntr()
zk.stop()
ordered = sorted(ms)
p50, p99 = statistics.median(ordered), ordered[max(0, int(n * 0.99) - 1)]
print(f"{label} n={n} p50_ms={p50:.2f} p99_ms={p99:.2f} max_ms={ordered[-1]:.2f}")
kind = "updatelatency" if op == "setData" else "readlatency"
if f"zk_p99_{kind}" in after:
    # The server's own view (ZooKeeper counts whole ms), since it started: on a fresh server, about this run.
    print(f"{label} server_{kind}_since_start cnt={after[f'zk_cnt_{kind}']} p50_ms={after[f'zk_p50_{kind}']}"
          f" p99_ms={after[f'zk_p99_{kind}']} p999_ms={after.get(f'zk_p999_{kind}', '-')} max_ms={after[f'zk_max_{kind}']}")
if "zk_gc_pause_ms" in before and "zk_gc_pause_ms" in after:
    tail = [v for v in ms if v > p99]
    print(f"{label} gc_collections={int(after['zk_gc_collections']) - int(before['zk_gc_collections'])}"
          f" gc_pause_ms={float(after['zk_gc_pause_ms']) - float(before['zk_gc_pause_ms']):.1f}"
          f" above_p99={len(tail)} their_ms_beyond_p50={sum(v - p50 for v in tail):.1f}")
