#!/usr/bin/env bash
# Runs Apache Curator's recipe benchmark (bench/curator/run-curator.sh: Curator 5 on a throwaway
# ZooKeeper 3.8 standalone, forceSync=yes) and OrleansZk's (bench/OrleansZk.RecipesBench: the recipe
# library on a throwaway silo, ForceSync=true) back to back with the same arguments, then prints a
# side-by-side table of the medians.
#
# Arguments go to both benchmarks after "-runs 3" (e.g. "-runs 5 -lock-ops 2000" overrides it).
# Environment: OUT (directory for the two full outputs and the table; default a new temp dir),
#              SKIP_BUILD=1 (use the existing Release builds of the silo and the benchmark).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
out=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/compare-recipes.XXXXXX")}
mkdir -p "$out"

bench_pid=
cleanup() {
    if [[ -n $bench_pid ]]; then
        kill "$bench_pid" 2>/dev/null || true
        wait "$bench_pid" 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a command in the background (so a signal to this script stops it and the server it started),
# its output to a file and to the terminal.
run_logged() {
    local log=$1
    shift
    "$@" > >(tee "$log") 2>&1 &
    bench_pid=$!
    local status=0
    wait "$bench_pid" || status=$?
    bench_pid=
    if ((status != 0)); then
        echo "$* failed with exit code $status (output: $log)" >&2
        exit "$status"
    fi
}

load() { cut -d ' ' -f 1-3 /proc/loadavg; }

{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(free -g | awk '/^Mem:/ { print $2 " GiB RAM" }'), $(uname -sr)"
    echo "commit: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- src client-sdk silo bench 2>/dev/null || echo ' (+ uncommitted changes)')"
    echo "arguments: -runs 3 $*"
} | tee "$out/machine.txt"

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    for project in silo/OrleansZk.Silo bench/OrleansZk.RecipesBench; do
        dotnet build "$root/$project" -c Release -nologo -v quiet >"$out/build.txt" 2>&1 || {
            cat "$out/build.txt" >&2
            exit 1
        }
    done
fi

echo
echo "=== Curator on ZooKeeper (bench/curator/run-curator.sh) ==="
curator_load_before=$(load)
run_logged "$out/curator.txt" "$here/curator/run-curator.sh" "$@"
curator_load_after=$(load)

echo
echo "=== OrleansZk recipes (bench/OrleansZk.RecipesBench) ==="
oz_load_before=$(load)
run_logged "$out/orleanszk.txt" dotnet "$root/bench/OrleansZk.RecipesBench/bin/Release/net10.0/OrleansZk.RecipesBench.dll" -runs 3 "$@"
oz_load_after=$(load)

echo "load average (1, 5, 15 min): Curator half $curator_load_before -> $curator_load_after; OrleansZk half $oz_load_before -> $oz_load_after" >>"$out/machine.txt"

# Joins the two "stat=median" RESULT sets on (workload, mode, clients). ops/s is the throughput of
# the lock workloads; for leader and discovery only the latencies mean something.
awk '
    /^RESULT / && / stat=median($| )/ {
        delete f
        for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
        key = f["workload"] SUBSEP f["mode"] SUBSEP f["clients"]
        if (!(key in seen)) { seen[key] = 1; order[++count] = key }
        ops[f["system"], key] = f["ops_per_s"]; p50[f["system"], key] = f["p50_ms"]; p99[f["system"], key] = f["p99_ms"]
    }
    function cell(a, s, k) { return ((s, k) in a) ? a[s, k] : "-" }
    END {
        print "| workload | mode | clients | Curator ops/s | p50 ms | p99 ms | OrleansZk ops/s | p50 ms | p99 ms |"
        print "|---|---|---:|---:|---:|---:|---:|---:|---:|"
        for (i = 1; i <= count; i++) {
            key = order[i]; split(key, k, SUBSEP)
            lock = (k[1] == "lock")
            printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", k[1], k[2], k[3],
                lock ? cell(ops, "curator", key) : "-", cell(p50, "curator", key), cell(p99, "curator", key),
                lock ? cell(ops, "orleanszk", key) : "-", cell(p50, "orleanszk", key), cell(p99, "orleanszk", key)
        }
    }' "$out/curator.txt" "$out/orleanszk.txt" >"$out/table.md"

echo
echo "=== medians side by side ==="
cat "$out/machine.txt"
cat "$out/table.md"
echo
echo "full outputs: $out"
