#!/usr/bin/env bash
# Runs the watch and session-expiry benchmarks of ZooKeeper (bench/zookeeper/run-watch.sh: a
# throwaway ZooKeeper standalone, forceSync=yes) and of OrleansZk (bench/OrleansZk.WatchBench: a
# throwaway silo, ForceSync=true) back to back, with the same workloads and arguments, then prints
# side-by-side tables: the medians over the runs, and every run's samples pooled.
#
# Each system runs twice: at tickTime / TickTimeMs 2000 (the default) every workload, then at each
# tick of EXPIRY_TICKS the expiry workload alone (a new server each time: the tick is a server setting).
#
# Arguments go to every benchmark run after "-runs 3" (e.g. "-runs 1 -fanout 1000" overrides it).
# Environment: OUT (directory for the full outputs and the tables; default a new temp dir),
#              SKIP_BUILD=1 (use the existing Release builds of the silo and the benchmark),
#              EXPIRY_TICKS (default "200"; "" for none).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
out=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/compare-watches.XXXXXX")}
expiry_ticks=${EXPIRY_TICKS-200}
mkdir -p "$out"

bench_pid=
tail_pid=
cleanup() {
    for pid in $bench_pid $tail_pid; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a command in the background, its output to a file that is echoed as it grows; waiting in
# the background lets a signal to this script stop it (and the server it started) at once.
run_logged() {
    local log=$1
    shift
    : >"$log" # tail must find it, even before the command's first line
    "$@" >"$log" 2>&1 &
    bench_pid=$!
    tail --pid="$bench_pid" -n +1 -f "$log" &
    tail_pid=$!
    local status=0
    wait "$bench_pid" || status=$?
    bench_pid=
    wait "$tail_pid" || true
    tail_pid=
    if ((status != 0)); then
        echo "$* failed with exit code $status (output: $log)" >&2
        exit "$status"
    fi
}

start_s=$(date +%s)
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(free -g | awk '/^Mem:/ { print $2 " GiB RAM" }'), $(uname -sr)"
    echo "commit: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- src client-sdk silo bench 2>/dev/null || echo ' (+ uncommitted changes in src/client-sdk/silo/bench)')"
    echo "arguments: -runs 3 $*; expiry also at ticks: ${expiry_ticks:-none}"
} | tee "$out/machine.txt"

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    for project in silo/OrleansZk.Silo bench/OrleansZk.WatchBench; do
        dotnet build "$root/$project" -c Release -nologo -v quiet >"$out/build.txt" 2>&1 || {
            cat "$out/build.txt" >&2
            exit 1
        }
    done
fi

load() { cut -d ' ' -f 1-3 /proc/loadavg; }
watch_bench=("dotnet" "$root/bench/OrleansZk.WatchBench/bin/Release/net10.0/OrleansZk.WatchBench.dll")

echo
echo "=== ZooKeeper (bench/zookeeper/run-watch.sh) ==="
zk_load_before=$(load)
run_logged "$out/zookeeper.txt" "$here/zookeeper/run-watch.sh" -runs 3 "$@"
for tick in $expiry_ticks; do
    run_logged "$out/zookeeper-tick$tick.txt" env TICK_MS="$tick" "$here/zookeeper/run-watch.sh" -runs 3 "$@" -workloads expiry
done
zk_load_after=$(load)

echo
echo "=== OrleansZk (bench/OrleansZk.WatchBench) ==="
oz_load_before=$(load)
run_logged "$out/orleanszk.txt" "${watch_bench[@]}" -runs 3 "$@"
for tick in $expiry_ticks; do
    run_logged "$out/orleanszk-tick$tick.txt" "${watch_bench[@]}" -runs 3 -tick-ms "$tick" "$@" -workloads expiry
done
oz_load_after=$(load)

echo "load average (1, 5, 15 min): ZooKeeper half $zk_load_before -> $zk_load_after; OrleansZk half $oz_load_before -> $oz_load_after" >>"$out/machine.txt"
echo "wall time: $(($(date +%s) - start_s)) s" >>"$out/machine.txt"

# Joins the two systems' RESULT lines of one stat (median or pooled) on (workload, kind, sessions).
# ratio = OrleansZk p50 / ZooKeeper p50: above 1 OrleansZk is slower (for expiry: later).
side_by_side() {
    awk -v want="stat=$1" '
        /^RESULT / && index($0, " " want " ") {
            delete f
            for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
            key = f["workload"] SUBSEP f["kind"] SUBSEP f["sessions"]
            if (!(key in seen)) { seen[key] = 1; order[++count] = key }
            for (m in f) v[f["system"], key, m] = f[m]
        }
        function cell(sys, key, m) { return ((sys, key, m) in v) ? v[sys, key, m] : "-" }
        END {
            print "| workload | kind | sessions | ZooKeeper p50 ms | p99 | min | max | OrleansZk p50 ms | p99 | min | max | ratio p50 |"
            print "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
            for (i = 1; i <= count; i++) {
                key = order[i]; split(key, k, SUBSEP)
                zk = cell("zookeeper", key, "p50_ms"); oz = cell("orleanszk", key, "p50_ms")
                ratio = (zk != "-" && oz != "-" && zk + 0 > 0 && k[1] != "expiry") ? sprintf("%.2f", oz / zk) : "-"
                printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", k[1], k[2], k[3],
                    zk, cell("zookeeper", key, "p99_ms"), cell("zookeeper", key, "min_ms"), cell("zookeeper", key, "max_ms"),
                    oz, cell("orleanszk", key, "p99_ms"), cell("orleanszk", key, "min_ms"), cell("orleanszk", key, "max_ms"), ratio
            }
        }' "${outputs[@]}"
}
outputs=("$out/zookeeper.txt" "$out/orleanszk.txt")
for tick in $expiry_ticks; do
    outputs+=("$out/zookeeper-tick$tick.txt" "$out/orleanszk-tick$tick.txt")
done
side_by_side median >"$out/table-median.md"
side_by_side pooled >"$out/table-pooled.md"

echo
cat "$out/machine.txt"
echo
echo "=== medians over the 3 runs, of each statistic (ratio = OrleansZk p50 / ZooKeeper p50) ==="
cat "$out/table-median.md"
echo
echo "=== every run's samples pooled ==="
cat "$out/table-pooled.md"
echo
echo "full outputs: $out"
