#!/usr/bin/env bash
# The same Java client against both systems: ZkBench and WatchBench (bench/zookeeper, ZooKeeper's
# own Java client from Debian's zookeeper package) against a throwaway Apache ZooKeeper 3.8
# standalone (bench/zookeeper/run-zookeeper.sh: forceSync=yes) and then against a throwaway
# OrleansZk silo through its ZooKeeper client port (OrleansZk:ClientPort; ForceSync=true, the
# default), back to back; prints a table of medians with the ratio OrleansZk / ZooKeeper.
#
# Arguments go to ZkBench on both sides after "-runs 3" (e.g. "-runs 5 -n 20000"); with
# "-server-stats on" each server's own latencies of each phase (srst before it, mntr after it) follow
# in a second table. A last table gives each server's CPU time per request in each phase (ZkBench
# reads the server process's /proc CPU times around each phase), and the output each server's CPU
# time over the whole ZkBench run.
# Environment: OUT (directory for the outputs and the table; default a new temp dir),
#              SKIP_BUILD=1 (use the existing Release build of the silo),
#              WATCH_ARGS (WatchBench's arguments; default "-runs 3 -workloads latency"),
#              NO_WATCH=1 (ZkBench only), SILO_ONLY=1 (OrleansZk only: to compare settings of the
#              silo, which inherits the environment, e.g. DOTNET_gcServer=0, run after run),
#              SILO_DLL (the silo to run, e.g. another commit's Release build, to compare two builds
#              run after run; default this checkout's, which SKIP_BUILD=0 builds first).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
out=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/compare-wire.XXXXXX")}
mkdir -p "$out"
read -r -a watch_args <<<"${WATCH_ARGS:--runs 3 -workloads latency}"
classpath="/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar"
silo_dll=${SILO_DLL:-"$root/silo/OrleansZk.Silo/bin/Release/net10.0/OrleansZk.Silo.dll"}

silo_pid=
silo_dir=
cleanup() {
    if [[ -n $silo_pid ]]; then
        kill "$silo_pid" 2>/dev/null || true
        wait "$silo_pid" 2>/dev/null || true
    fi
    if [[ -n $silo_dir ]]; then rm -rf "$silo_dir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck source=bench/lib.sh
. "$here/lib.sh"

{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(free -g | awk '/^Mem:/ { print $2 " GiB RAM" }'), $(uname -sr)"
    echo "commit: $(git -C "$root" rev-parse --short HEAD)"
    echo "arguments: ZkBench -runs 3 $*; $([[ ${NO_WATCH:-0} == 1 ]] && echo "no WatchBench" || echo "WatchBench ${watch_args[*]}")$([[ ${SILO_ONLY:-0} == 1 ]] && echo "; OrleansZk only")"
    echo "silo: $silo_dll"
    echo "silo's DOTNET_ settings: $(env | grep '^DOTNET_' | sort | tr '\n' ' ')"
} | tee "$out/machine.txt"

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    dotnet build "$root/silo/OrleansZk.Silo" -c Release -nologo -v quiet >"$out/build.txt" 2>&1 || { cat "$out/build.txt" >&2; exit 1; }
fi
mkdir -p "$out/classes"
javac -d "$out/classes" -cp "$classpath" "$here"/zookeeper/*.java
java_bench() {
    java -Xms512m -Xmx512m -cp "$out/classes:$classpath" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
        -Dorg.slf4j.simpleLogger.log.org.apache.zookeeper.ClientCnxn=error "$@"
}

: >"$out/zookeeper.txt"
: >"$out/zookeeper-watch.txt"
: >"$out/orleanszk-watch.txt"
if [[ ${SILO_ONLY:-0} != 1 ]]; then
    echo; echo "=== ZooKeeper 3.8 standalone: ZkBench, WatchBench ==="
    echo "load before ZooKeeper: $(load)" >>"$out/machine.txt"
    "$here/zookeeper/run-zookeeper.sh" "$@" | tee "$out/zookeeper.txt"
    sed -n 's/^server CPU during ZkBench/ZooKeeper CPU during ZkBench/p' "$out/zookeeper.txt" >>"$out/machine.txt"
    if [[ ${NO_WATCH:-0} != 1 ]]; then
        BENCH=WatchBench "$here/zookeeper/run-zookeeper.sh" "${watch_args[@]}" | tee "$out/zookeeper-watch.txt"
    fi
fi

echo; echo "=== OrleansZk, one silo, the same Java client on its ZooKeeper port ==="
echo "load before OrleansZk: $(load)" >>"$out/machine.txt"
silo_dir=$(mktemp -d "${TMPDIR:-/tmp}/compare-wire-silo.XXXXXX")
client_port=$(free_port 21900)
gateway_port=$(free_port 31900)
silo_port=$(free_port 41900)
(cd "$silo_dir" && exec dotnet "$silo_dll" --OrleansZk:DataDir="$silo_dir/data" --OrleansZk:ClientPort="$client_port" \
    --OrleansZk:GatewayPort="$gateway_port" --OrleansZk:SiloPort="$silo_port" --OrleansZk:ForceSync=true \
    --OrleansZk:FourLetterWords=srvr,ruok,mntr,srst) >"$silo_dir/silo.out" 2>&1 &
silo_pid=$!
wait_serving "$client_port" "$silo_pid" "$silo_dir/silo.out"
echo "server: OrleansZk silo on 127.0.0.1:$client_port (ClientPort; ForceSync=true)" | tee "$out/orleanszk.txt"
cpu_before=$(cpu_ms "$silo_pid")
java_bench ZkBench -server "127.0.0.1:$client_port" -server-pid "$silo_pid" -runs 3 "$@" | sed 's/system=zookeeper/system=orleanszk/' | tee -a "$out/orleanszk.txt"
# The same arguments make the same requests: the silo's CPU time for them compares two builds or settings.
echo "OrleansZk CPU during ZkBench: $(($(cpu_ms "$silo_pid") - cpu_before)) ms" >>"$out/machine.txt"
if [[ ${NO_WATCH:-0} != 1 ]]; then
    java_bench WatchBench -server "127.0.0.1:$client_port" "${watch_args[@]}" | sed 's/system=zookeeper/system=orleanszk/' | tee "$out/orleanszk-watch.txt"
fi
echo "load after OrleansZk: $(load)" >>"$out/machine.txt"

# Joins the "stat=median" RESULT lines of both systems; ratio = OrleansZk / ZooKeeper throughput
# (above 1 OrleansZk is faster), or ZooKeeper / OrleansZk latency for the watch rows (likewise).
awk '
    /^RESULT / && / stat=median / {
        delete f
        for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
        watch = ("kind" in f)
        key = watch ? "watch " f["workload"] SUBSEP f["kind"] SUBSEP f["sessions"] : f["workload"] SUBSEP f["mode"] SUBSEP f["clients"]
        if (!(key in seen)) { seen[key] = 1; order[++count] = key; isWatch[key] = watch }
        ops[f["system"], key] = watch ? "" : f["ops_per_s"]; p50[f["system"], key] = f["p50_ms"]; p99[f["system"], key] = f["p99_ms"]
    }
    END {
        print "| workload | mode / kind | clients | ZooKeeper ops/s | p50 ms | p99 ms | OrleansZk ops/s | p50 ms | p99 ms | ratio |"
        print "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
        for (i = 1; i <= count; i++) {
            key = order[i]; split(key, k, SUBSEP)
            if (isWatch[key]) {
                zk = p50["zookeeper", key]; oz = p50["orleanszk", key]
                ratio = (zk != "" && oz != "" && oz > 0) ? sprintf("%.2f (p50 latency)", zk / oz) : "-"
            } else {
                zk = ops["zookeeper", key]; oz = ops["orleanszk", key]
                ratio = (zk != "" && oz != "" && zk > 0) ? sprintf("%.2f", oz / zk) : "-"
            }
            printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", k[1], k[2], k[3],
                ops["zookeeper", key] == "" ? "-" : ops["zookeeper", key], p50["zookeeper", key], p99["zookeeper", key],
                ops["orleanszk", key] == "" ? "-" : ops["orleanszk", key], p50["orleanszk", key], p99["orleanszk", key], ratio
        }
    }' "$out/zookeeper.txt" "$out/zookeeper-watch.txt" "$out/orleanszk.txt" "$out/orleanszk-watch.txt" >"$out/table.md"

# With -server-stats on: ZkBench's SERVER lines (each server's readlatency / updatelatency of a
# phase), medians over the runs, the kind the phase is made of (the mixes: both).
python3 - "$out/zookeeper.txt" "$out/orleanszk.txt" >"$out/server-table.md" <<'PY'
import statistics, sys
rows = {}
for name in sys.argv[1:]:
    for line in open(name):
        if not line.startswith("SERVER ") or "stat=run" not in line:
            continue
        f = dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)
        key = (f["workload"], f["mode"], f["clients"])
        rows.setdefault(key, {}).setdefault(f["system"], []).append(f)
if rows:
    print("| workload | mode | clients | kind | ZooKeeper server p50 / p99 ms | OrleansZk server p50 / p99 ms |")
    print("|---|---|---:|---|---:|---:|")
    def med(runs, kind, q):
        values = [float(r[f"{kind}_{q}_ms"]) for r in runs if r.get(f"{kind}_{q}_ms", "-") != "-"]
        return f"{statistics.median(values):g}" if values else "-"
    for (workload, mode, clients), systems in rows.items():
        kinds = ["read", "update"] if workload == "mix" else (["read"] if workload in ("getData", "exists") else ["update"])
        for kind in kinds:
            cells = [f"{med(systems.get(s, []), kind, 'p50')} / {med(systems.get(s, []), kind, 'p99')}" for s in ("zookeeper", "orleanszk")]
            print(f"| {workload} | {mode} | {clients} | {kind} | {cells[0]} | {cells[1]} |")
PY

# Each server's CPU time per request in each phase (ZkBench -server-pid: the process's user +
# system time over the phase, in /proc's 10 ms ticks, so the short pipelined phases are coarse).
python3 - "$out/zookeeper.txt" "$out/orleanszk.txt" >"$out/cpu-table.md" <<'PY'
import sys
rows = {}
for name in sys.argv[1:]:
    for line in open(name):
        if not line.startswith("RESULT ") or "stat=median" not in line or "server_cpu_us_per_op=" not in line:
            continue
        f = dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)
        rows.setdefault((f["workload"], f["mode"], f["clients"]), {})[f["system"]] = float(f["server_cpu_us_per_op"])
if rows:
    print("| workload | mode | clients | ZooKeeper µs CPU / request | OrleansZk µs CPU / request | ratio |")
    print("|---|---|---:|---:|---:|---:|")
    for (workload, mode, clients), cpu in rows.items():
        zk, oz = cpu.get("zookeeper"), cpu.get("orleanszk")
        ratio = f"{zk / oz:.2f}" if zk and oz else "-"
        cell = lambda v: "-" if v is None else f"{v:.1f}"
        print(f"| {workload} | {mode} | {clients} | {cell(zk)} | {cell(oz)} | {ratio} |")
PY

echo
echo "=== medians side by side, the same Java client (ratio > 1: OrleansZk faster) ==="
cat "$out/machine.txt"
cat "$out/table.md"
if [[ -s $out/server-table.md ]]; then
    echo
    echo "=== each server's own latencies (mntr; ZooKeeper counts whole ms), medians over the runs ==="
    cat "$out/server-table.md"
fi
if [[ -s $out/cpu-table.md ]]; then
    echo
    echo "=== each server's CPU time per request, medians over the runs (ratio > 1: OrleansZk uses less) ==="
    cat "$out/cpu-table.md"
fi
echo "outputs: $out"
