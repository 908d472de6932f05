#!/usr/bin/env bash
# Throughput of ensembles, side by side, with the workloads of bench/compare.sh (ZkBench and
# LoadBench, -runs 3): Apache ZooKeeper 3.8 with 3 servers (bench/zookeeper/ensemble.sh:
# forceSync=yes, its default timings), OrleansZk with 3 silos / 3 replicas (silo/ensemble.sh, SQLite
# membership, ForceSync=true), and OrleansZk with 1 silo (LoadBench's own silo, as compare.sh).
# Clients get every server's address (ZooKeeper's client picks one at random; OrleansZk's routes
# writes to the leader and reads to the partitions, which live on every silo).
#
# Arguments go to all three benchmarks after "-runs 3".
# Environment: OUT (directory for the outputs and the table; default a new temp dir),
#              SKIP_BUILD=1 (use the existing Release builds).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
out=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/compare-ensemble.XXXXXX")}
mkdir -p "$out"
zk() { DIR="$out/zk-ensemble" "$here/zookeeper/ensemble.sh" "$@"; }
oz() { DIR="$out/oz-ensemble" SILO_PORT=32000 GATEWAY_PORT=32010 SKIP_BUILD=1 "$root/silo/ensemble.sh" "$@"; }
cleanup() {
    zk stop-all >/dev/null 2>&1 || true
    oz stop-all >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

load() { cut -d ' ' -f 1-3 /proc/loadavg; }
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(free -g | awk '/^Mem:/ { print $2 " GiB RAM" }'), $(uname -sr)"
    echo "commit: $(git -C "$root" rev-parse --short HEAD)"
    echo "arguments: -runs 3 $*"
} | tee "$out/machine.txt"
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    for project in silo/OrleansZk.Silo client-sdk/OrleansZk.Cli bench/OrleansZk.LoadBench; do
        dotnet build "$root/$project" -c Release -nologo -v quiet >"$out/build.txt" 2>&1 || { cat "$out/build.txt" >&2; exit 1; }
    done
fi
classpath="/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar"
mkdir -p "$out/classes"
javac -d "$out/classes" -cp "$classpath" "$here/zookeeper/ZkBench.java"
loadbench="$root/bench/OrleansZk.LoadBench/bin/Release/net10.0/OrleansZk.LoadBench.dll"

echo; echo "=== ZooKeeper, 3 servers ==="
zk start 3 | tee -a "$out/machine.txt"
echo "load before ZooKeeper x3: $(load)" >>"$out/machine.txt"
java -Xms512m -Xmx512m -cp "$out/classes:$classpath" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -Dorg.slf4j.simpleLogger.log.org.apache.zookeeper.ClientCnxn=error \
    ZkBench -server "$(zk gateways)" -runs 3 "$@" | sed 's/system=zookeeper/system=zookeeper3/' | tee "$out/zookeeper3.txt"
zk stop-all >/dev/null

echo; echo "=== OrleansZk, 3 silos ==="
oz start 3 | tee -a "$out/machine.txt"
echo "load before OrleansZk x3: $(load)" >>"$out/machine.txt"
dotnet "$loadbench" -server "$(oz gateways)" -runs 3 "$@" | sed 's/system=orleanszk/system=orleanszk3/' | tee "$out/orleanszk3.txt"
oz stop-all >/dev/null

echo; echo "=== OrleansZk, 1 silo ==="
echo "load before OrleansZk x1: $(load)" >>"$out/machine.txt"
dotnet "$loadbench" -runs 3 "$@" | sed 's/system=orleanszk/system=orleanszk1/' | tee "$out/orleanszk1.txt"
echo "load after: $(load)" >>"$out/machine.txt"

# Joins the "stat=median" RESULT sets on (workload, mode, clients); ratio = OrleansZk x3 ops/s
# divided by ZooKeeper x3 ops/s (above 1 OrleansZk is faster).
awk '
    /^RESULT / && / stat=median / {
        delete f
        for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
        key = f["workload"] SUBSEP f["mode"] SUBSEP f["clients"]
        if (!(key in seen)) { seen[key] = 1; order[++count] = key }
        ops[f["system"], key] = f["ops_per_s"]; p99[f["system"], key] = f["p99_ms"]
    }
    function cell(s, key) { return (ops[s, key] != "" ? ops[s, key] " (" p99[s, key] ")" : "-") }
    END {
        print "| workload | mode | clients | ZooKeeper x3 ops/s (p99 ms) | OrleansZk x3 | OrleansZk x1 | x3 / ZooKeeper x3 |"
        print "|---|---|---:|---:|---:|---:|---:|"
        for (i = 1; i <= count; i++) {
            key = order[i]; split(key, k, SUBSEP)
            zk = ops["zookeeper3", key]; oz = ops["orleanszk3", key]
            ratio = (zk != "" && oz != "" && zk > 0) ? sprintf("%.2f", oz / zk) : "-"
            printf "| %s | %s | %s | %s | %s | %s | %s |\n", k[1], k[2], k[3], cell("zookeeper3", key), cell("orleanszk3", key), cell("orleanszk1", key), ratio
        }
    }' "$out/zookeeper3.txt" "$out/orleanszk3.txt" "$out/orleanszk1.txt" >"$out/table.md"
echo
echo "=== medians side by side ==="
cat "$out/machine.txt"
cat "$out/table.md"
echo "full outputs: $out"
