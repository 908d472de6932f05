#!/usr/bin/env bash
# Every figure of the performance goals, ZooKeeper 3.8 and OrleansZk back to back (each script
# below starts throwaway servers of both, one system after the other), then one goals table:
#   1. compare.sh           sync, pipelined and mix rows (ops/s, p50, p99), LoadBench vs ZkBench
#   2. compare.sh again     the same under CPU contention: 4 busy-loop processes on the cores
#   3. compare-watches.sh   watch latency and fan-out (no expiry runs)
#   4. compare-memory.sh    idle CPU, resident memory at MEMORY_N znodes (same Java client)
# Environment: OUT (directory; default a new temp dir), SKIP_BUILD=1 (use existing Release builds),
#              LOAD_ARGS (compare.sh's arguments, default "-runs 3"), BUSY_ARGS (default
#              "-runs 1"), WATCH_ARGS (compare-watches.sh's, default none), MEMORY_N (default 1000000),
#              GOALS_ONLY=1 (only the goals table, from the outputs already in OUT).
# About 30 minutes with the defaults on the 2-core machine.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
out=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/compare-all.XXXXXX")}
mkdir -p "$out"
read -r -a load_args <<<"${LOAD_ARGS:--runs 3}"
read -r -a busy_args <<<"${BUSY_ARGS:--runs 1}"
read -r -a watch_args <<<"${WATCH_ARGS:-}"
memory_n=${MEMORY_N:-1000000}

busy=()
cleanup() {
    for pid in "${busy[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

run_all() {
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    for project in silo/OrleansZk.Silo bench/OrleansZk.LoadBench bench/OrleansZk.WatchBench; do
        dotnet build "$root/$project" -c Release -nologo -v quiet >"$out/build.txt" 2>&1 || { cat "$out/build.txt" >&2; exit 1; }
    done
fi

echo "=== 1. compare.sh ${load_args[*]} ==="
OUT="$out/load" SKIP_BUILD=1 "$here/compare.sh" "${load_args[@]}"

echo "=== 2. compare.sh ${busy_args[*]} under 4 busy loops ==="
for _ in 1 2 3 4; do
    bash -c 'while :; do :; done' &
    busy+=("$!")
done
OUT="$out/busy" SKIP_BUILD=1 "$here/compare.sh" "${busy_args[@]}"
cleanup
busy=()

echo "=== 3. compare-watches.sh ${watch_args[*]} ==="
OUT="$out/watches" SKIP_BUILD=1 EXPIRY_TICKS="" "$here/compare-watches.sh" "${watch_args[@]}"

echo "=== 4. compare-memory.sh $memory_n ==="
OUT="$out/memory" SKIP_BUILD=1 "$here/compare-memory.sh" "$memory_n"

}

# The goals, each from the tables above: "met" or "not met" with the two figures.
goals() {
    echo "| goal | ZooKeeper | OrleansZk | verdict |"
    echo "|---|---:|---:|---|"
    awk -F'|' '
        function num(s) { gsub(/[ ,]/, "", s); return s + 0 }
        FILENAME ~ /watches/ && $2 ~ /latency/ {
            printf "| watch latency p50 (%s) <= 2x | %s | %s | %s |\n", trim($3), trim($5), trim($9), (num($9) <= 2 * num($5) ? "met" : "not met")
            printf "| watch latency p99 (%s) <= | %s | %s | %s |\n", trim($3), trim($6), trim($10), (num($10) <= num($6) ? "met" : "not met")
        }
        FILENAME ~ /\/load\// && $3 ~ /sync/ {
            printf "| p99 of %s sync, %s clients, <= | %s ms | %s ms | %s |\n", trim($2), trim($4), trim($7), trim($10), (num($10) <= num($7) ? "met" : "not met")
            if (trim($2) ~ /mix/ && trim($4) == "16")
                printf "| mix 90/10, 16 clients, throughput >= 1.5x | %s ops/s | %s ops/s | %s |\n", trim($5), trim($8), (num($8) >= 1.5 * num($5) ? "met" : "not met")
        }
        FILENAME ~ /\/busy\// && trim($2) == "create" && trim($3) == "sync" {
            printf "| sync create under 4 busy loops >= | %s ops/s | %s ops/s | %s |\n", trim($5), trim($8), (num($8) >= num($5) ? "met" : "not met")
        }
        function trim(s) { gsub(/^ +| +$/, "", s); return s }
    ' "$out/watches/table-median.md" "$out/load/table.md" "$out/busy/table.md"
    awk '
        /^RESULT system=zookeeper/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); zk[kv[1]] = kv[2] } }
        /^RESULT system=orleanszk/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); oz[kv[1]] = kv[2] } }
        END {
            printf "| resident memory at %s znodes <= | %s MiB (heap in use %s) | %s MiB | %s |\n", n, zk["rss_mib"], zk["heap_used_mib"], oz["rss_mib"], (oz["rss_mib"] + 0 <= zk["rss_mib"] + 0 ? "met" : "not met")
            printf "| idle CPU (the goal compares with an older OrleansZk build: SILO_DLL) | %s ms | %s ms | see bench/README.md |\n", zk["idle_cpu_ms"], oz["idle_cpu_ms"]
        }' n="$memory_n" "$out/memory/results.txt"
}

[[ ${GOALS_ONLY:-0} == 1 ]] || run_all
echo; echo "=== goals ==="
goals | tee "$out/goals.md"
echo "outputs: $out"
