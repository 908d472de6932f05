#!/usr/bin/env bash
# Failover time, side by side: a 3-member ensemble of OrleansZk (silo/ensemble.sh, SQLite
# membership, default settings) or of Apache ZooKeeper 3.8 (tickTime 2000, initLimit 10,
# syncLimit 5, forceSync yes: its defaults), /prefill filled with PREFILL znodes, one client
# writing /failover one setData at a time (session timeout 10 s; bench/OrleansZk.FailoverBench or
# bench/ensemble/FailoverWriter.java). Each run: wait until all three members are in sync and
# the writer is acknowledged, SIGKILL the leader (t0: just after the kill), and time t0 → the first
# acknowledged write issued at or after t0; then restart the killed member and wait until it is back in sync.
#
#   bench/failover.sh orleanszk|zookeeper
#
# Prints each run and then the median, p99 (nearest rank) and range in milliseconds.
# Environment: RUNS (default 10), PREFILL (100000), BASE_PORT (first of the ports tried, 21810
# for ZooKeeper, 31000 for OrleansZk), SKIP_BUILD=1 (use the existing Release builds), KEEP=1
# (leave the work directory).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
system=${1:-}
runs=${RUNS:-10}
prefill=${PREFILL:-100000}
[[ $system == orleanszk || $system == zookeeper ]] || { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/failover.XXXXXX")
writer_pid=
cleanup() {
    # SIGKILL: the .NET writer's Orleans client host takes SIGTERM as a request to stop its host only.
    [[ -n $writer_pid ]] && kill -9 "$writer_pid" 2>/dev/null || true
    ens stop-all >/dev/null 2>&1 || true
    [[ ${KEEP:-0} == 1 ]] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now_ms() { date +%s%3N; }
# Waits (polling every 0.2 s, at most $2 seconds) until the command $1 succeeds.
wait_for() {
    local deadline=$((SECONDS + $2))
    until eval "$1"; do
        ((SECONDS < deadline)) || { echo "failover: timed out waiting for: $1" >&2; exit 1; }
        sleep 0.2
    done
}

if [[ $system == zookeeper ]]; then
    # ZooKeeper: bench/zookeeper/ensemble.sh (three QuorumPeerMain processes).
    ens() { DIR="$work/ensemble" PORT=${BASE_PORT:-21810} "$root/bench/zookeeper/ensemble.sh" "$@"; }
    in_sync() { ens in-sync; }
    pid_file() { echo "$work/ensemble/zk$1/pid"; }
    leader() { ens leader; }
    start_writer() {
        local cp="/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar"
        mkdir -p "$work/classes"
        javac -d "$work/classes" -cp "$cp" "$root/bench/ensemble/FailoverWriter.java"
        java -Xms256m -Xmx512m -cp "$work/classes:$cp" -Dorg.slf4j.simpleLogger.defaultLogLevel=error \
            FailoverWriter -server "$connect" -prefill "$prefill" >"$work/writer.out" 2>"$work/writer.err" &
        writer_pid=$!
    }
else
    # OrleansZk: silo/ensemble.sh (three silos on SQLite membership).
    ens() { DIR="$work/ensemble" SILO_PORT=${BASE_PORT:-31000} GATEWAY_PORT=$((${BASE_PORT:-31000} + 10)) SKIP_BUILD=1 "$root/silo/ensemble.sh" "$@"; }
    status() { ens status 2>/dev/null | grep '^replica ' || true; }
    pid_file() { echo "$work/ensemble/silo-$1.pid"; }
    in_sync() { status | grep -Eq '^replica [0-9]+: Leading, .*followers in sync \[[0-9]+,[0-9]+\]'; }
    leader() { status | sed -n 's/^replica \([0-9]*\): Leading, .*/\1/p' | head -n 1; }
    start_writer() {
        dotnet "$root/bench/OrleansZk.FailoverBench/bin/Release/net10.0/OrleansZk.FailoverBench.dll" \
            -server "$connect" -prefill "$prefill" >"$work/writer.out" 2>"$work/writer.err" &
        writer_pid=$!
    }
    if [[ ${SKIP_BUILD:-0} != 1 ]]; then
        for p in silo/OrleansZk.Silo client-sdk/OrleansZk.Cli bench/OrleansZk.FailoverBench; do
            dotnet build "$root/$p" -c Release -nologo -v quiet >/dev/null
        done
    fi
fi

# --- the runs -----------------------------------------------------------------------------------
ens start 3 >"$work/start.out"
connect=$(ens gateways)
echo "$system: 3-member ensemble, clients on $connect"
wait_for in_sync 120
started=$(now_ms)
start_writer
wait_for 'grep -q "^ready" "$work/writer.out"' 600
echo "prefilled $prefill znodes in $((($(now_ms) - started) / 1000)) s; load $(cut -d' ' -f1-3 /proc/loadavg)"

# The first "ok" whose write was issued at or after $1; prints its ack time.
first_ok_after() { awk -v t0="$1" '$1 == "ok" && $2 >= t0 { print $3; exit }' "$work/writer.out"; }
samples=()
for run in $(seq 1 "$runs"); do
    wait_for in_sync 180
    # The writer is acknowledged now, so the ensemble serves before the kill.
    mark=$(now_ms)
    wait_for '[[ -n $(first_ok_after "$mark") ]]' 60
    victim=$(leader)
    pid=$(cat "$(pid_file "$victim")")
    # t0 after the kill: a write issued just before it may still commit (taken before, the clock
    # read and the kill are a few milliseconds apart on a loaded machine, and such writes counted).
    kill -9 "$pid"
    t0=$(now_ms)
    wait_for '[[ -n $(first_ok_after "$t0") ]]' 120
    t1=$(first_ok_after "$t0")
    samples+=($((t1 - t0)))
    echo "run $run: killed leader $victim, first acknowledged write $((t1 - t0)) ms later (errors meanwhile: $(awk -v t0="$t0" '$1 == "err" && $2 >= t0' "$work/writer.out" | wc -l)); load $(cut -d' ' -f1-3 /proc/loadavg)"
    ens restart "$victim" >/dev/null
done

printf '%s\n' "${samples[@]}" | sort -n | awk -v sys="$system" '
    { v[NR] = $1 }
    END {
        median = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        rank = int(0.99 * NR); if (rank < 0.99 * NR) rank++
        printf "%s: %d runs, median %d ms, p99 %d ms, min %d ms, max %d ms\n", sys, NR, median, v[rank], v[1], v[NR]
    }'
