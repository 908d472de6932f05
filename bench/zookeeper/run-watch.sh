#!/usr/bin/env bash
# WatchBench against a throwaway ZooKeeper standalone: run-zookeeper.sh with BENCH=WatchBench.
# Arguments go to WatchBench (e.g. "-runs 1 -workloads latency"); TICK_MS sets the server's tickTime.
exec env BENCH=WatchBench "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/run-zookeeper.sh" "$@"
