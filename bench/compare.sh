#!/usr/bin/env bash
# Runs ZooKeeper's benchmark (bench/zookeeper/run-zookeeper.sh: a throwaway ZooKeeper standalone,
# forceSync=yes) and OrleansZk's (bench/OrleansZk.LoadBench: a throwaway silo, ForceSync=true) back
# to back, with the same workloads and arguments, then prints a side-by-side table of the medians.
#
# Arguments go to both benchmarks after "-runs 3" (e.g. "-runs 5 -n 20000" overrides it).
# Environment: OUT (directory for the two full outputs and the table; default a new temp dir),
#              SKIP_BUILD=1 (use the existing Release builds of the silo and the benchmark).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
out=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/compare.XXXXXX")}
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

{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(free -g | awk '/^Mem:/ { print $2 " GiB RAM" }'), $(uname -sr)"
    echo "commit: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- src client-sdk silo 2>/dev/null || echo ' (+ uncommitted changes in src/client-sdk/silo)')"
    echo "arguments: -runs 3 $*"
} | tee "$out/machine.txt"

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    for project in silo/OrleansZk.Silo bench/OrleansZk.LoadBench; do
        dotnet build "$root/$project" -c Release -nologo -v quiet >"$out/build.txt" 2>&1 || {
            cat "$out/build.txt" >&2
            exit 1
        }
    done
fi

load() { cut -d ' ' -f 1-3 /proc/loadavg; }

# The probe run-zookeeper.sh prints, repeated before OrleansZk's half: what one synchronous write
# costs on the disk of the temp dirs right then (the machine may be shared and its state drift).
disk_probe() {
    local probe
    probe=$(mktemp "${TMPDIR:-/tmp}/probe.XXXXXX")
    echo "disk: 1000 O_DSYNC 512-byte writes: $(dd if=/dev/zero of="$probe" bs=512 count=1000 oflag=dsync 2>&1 | tail -n 1)"
    rm -f "$probe"
}

echo
echo "=== ZooKeeper (bench/zookeeper/run-zookeeper.sh) ==="
zk_load_before=$(load)
run_logged "$out/zookeeper.txt" "$here/zookeeper/run-zookeeper.sh" "$@"
zk_load_after=$(load)

echo
echo "=== OrleansZk (bench/OrleansZk.LoadBench) ==="
oz_load_before=$(load)
disk_probe | tee "$out/orleanszk-disk.txt"
run_logged "$out/orleanszk.txt" dotnet "$root/bench/OrleansZk.LoadBench/bin/Release/net10.0/OrleansZk.LoadBench.dll" -runs 3 "$@"
oz_load_after=$(load)

{
    echo "load average (1, 5, 15 min): ZooKeeper half $zk_load_before -> $zk_load_after; OrleansZk half $oz_load_before -> $oz_load_after"
    grep -h '^disk:' "$out/zookeeper.txt" | sed 's/^/ZooKeeper half, /'
    sed 's/^/OrleansZk half, /' "$out/orleanszk-disk.txt"
} >>"$out/machine.txt"

# Joins the two "stat=median" RESULT sets on (workload, mode, clients). ratio = OrleansZk ops/s
# divided by ZooKeeper ops/s: above 1 OrleansZk is faster.
awk '
    /^RESULT / && / stat=median / {
        delete f
        for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
        key = f["workload"] SUBSEP f["mode"] SUBSEP f["clients"]
        if (!(key in seen)) { seen[key] = 1; order[++count] = key }
        ops[f["system"], key] = f["ops_per_s"]; p50[f["system"], key] = f["p50_ms"]; p99[f["system"], key] = f["p99_ms"]
    }
    END {
        print "| workload | mode | clients | ZooKeeper ops/s | p50 ms | p99 ms | OrleansZk ops/s | p50 ms | p99 ms | ratio |"
        print "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
        for (i = 1; i <= count; i++) {
            key = order[i]; split(key, k, SUBSEP)
            zk = ops["zookeeper", key]; oz = ops["orleanszk", key]
            ratio = (zk != "" && oz != "" && zk > 0) ? sprintf("%.2f", oz / zk) : "-"
            printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", k[1], k[2], k[3],
                (zk != "" ? zk : "-"), (zk != "" ? p50["zookeeper", key] : "-"), (zk != "" ? p99["zookeeper", key] : "-"),
                (oz != "" ? oz : "-"), (oz != "" ? p50["orleanszk", key] : "-"), (oz != "" ? p99["orleanszk", key] : "-"), ratio
        }
    }' "$out/zookeeper.txt" "$out/orleanszk.txt" >"$out/table.md"

echo
echo "=== medians side by side (ratio = OrleansZk ops/s / ZooKeeper ops/s) ==="
cat "$out/machine.txt"
cat "$out/table.md"
echo
echo "full outputs: $out"
