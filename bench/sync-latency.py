#!/usr/bin/python3
"""Latency of ZooKeeper's sync, one at a time, through the client port with kazoo (Debian's
python3-kazoo; run it with /usr/bin/python3). Usage: bench/sync-latency.py HOST:PORT [N] [LABEL]
Prints one line: the label, N, and the p50 / p99 / max in ms (after 20 syncs not counted)."""
import statistics
import sys
import time

from kazoo.client import KazooClient

hosts = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
label = sys.argv[3] if len(sys.argv) > 3 else "sync"
zk = KazooClient(hosts=hosts)
zk.start()
zk.ensure_path("/sync-latency")
for _ in range(20):
    zk.sync("/sync-latency")
ms = []
for _ in range(n):
    t = time.perf_counter()
    zk.sync("/sync-latency")
    ms.append((time.perf_counter() - t) * 1000)
ms.sort()
print(f"{label} n={n} p50_ms={statistics.median(ms):.2f} p99_ms={ms[max(0, int(n * 0.99) - 1)]:.2f} max_ms={ms[-1]:.2f}")
zk.stop()
