#!/usr/bin/env bash
# Resident memory and idle CPU, ZooKeeper 3.8 standalone and one OrleansZk silo, back to back:
# each server is started fresh, left idle (CPU time over IDLE_S seconds after a 10 s settle, from
# /proc/<pid>/stat), then filled with the same tree by the same client (bench/zookeeper/Fill.java,
# ZooKeeper's Java client: N znodes of 32 bytes under 10 parents, through OrleansZk's ZooKeeper
# client port), and its resident set (VmRSS) read 10 s after the fill. ZooKeeper runs with its
# scripts' default heap limit (-Xmx1000m, zkEnv.sh's ZK_SERVER_HEAP); after its RSS the script
# also asks its JVM for a full GC (jcmd GC.run) and reports the RSS and the heap in use after it;
# for the silo it reads its .NET heap as of its last collection from mntr (size, the free space in
# it, committed), which tells live data from the collector's slack.
#
# Usage: bench/compare-memory.sh [N]   (default 1000000)
# Environment: OUT (directory for outputs; default a new temp dir), SKIP_BUILD=1 (use the existing
#              Release build of the silo), SILO_DLL (another silo build, e.g. an older commit's),
#              SILO_ARGS (extra silo settings, e.g. "--OrleansZk:WatchPollMs=10"), IDLE_S (default 10).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
n=${1:-1000000}
idle_s=${IDLE_S:-10}
out=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/compare-memory.XXXXXX")}
mkdir -p "$out"
classpath="/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar"
silo_dll=${SILO_DLL:-$root/silo/OrleansZk.Silo/bin/Release/net10.0/OrleansZk.Silo.dll}
read -r -a silo_args <<<"${SILO_ARGS:-}"

server_pid=
work=
cleanup() {
    if [[ -n $server_pid ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [[ -n $work ]]; then rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck source=bench/lib.sh
. "$here/lib.sh"
rss_mib() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$server_pid/status"; }
# CPU milliseconds the server spends over idle_s seconds with no client, after a 10 s settle.
idle_cpu_ms() {
    sleep 10
    local before
    before=$(cpu_ms "$server_pid")
    sleep "$idle_s"
    echo $(($(cpu_ms "$server_pid") - before))
}
fill() {
    java -Xmx512m -cp "$out/classes:$classpath" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
        -Dorg.slf4j.simpleLogger.log.org.apache.zookeeper.ClientCnxn=error Fill -server "127.0.0.1:$1" -n "$n"
}
# The started server (server_pid) serving on port $1, as system $2: idle resident set and CPU,
# then the fill, then the resident set 10 s later (sets idle_rss, idle_cpu, rss).
idle_then_fill() {
    wait_serving "$1" "$server_pid" "$work/server.out"
    idle_rss=$(rss_mib)
    idle_cpu=$(idle_cpu_ms)
    fill "$1" | tee "$out/$2-fill.txt"
    sleep 10
    rss=$(rss_mib)
}
stop_server() {
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
    rm -rf "$work"
    work=
}

{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(free -g | awk '/^Mem:/ { print $2 " GiB RAM" }'), $(uname -sr)"
    echo "commit: $(git -C "$root" rev-parse --short HEAD); silo: $silo_dll ${silo_args[*]:-}"
    echo "znodes: $n (32-byte data, 10 parents); idle CPU over ${idle_s} s"
} | tee "$out/machine.txt"

if [[ ${SKIP_BUILD:-0} != 1 && -z ${SILO_DLL:-} ]]; then
    dotnet build "$root/silo/OrleansZk.Silo" -c Release -nologo -v quiet >"$out/build.txt" 2>&1 || { cat "$out/build.txt" >&2; exit 1; }
fi
mkdir -p "$out/classes"
javac -d "$out/classes" -cp "$classpath" "$here/zookeeper/Fill.java"

echo; echo "=== ZooKeeper 3.8 standalone (-Xmx1000m) ==="
work=$(mktemp -d "${TMPDIR:-/tmp}/compare-memory-zk.XXXXXX")
zk_port=$(free_port 22181)
cat >"$work/zoo.cfg" <<CFG
tickTime=2000
dataDir=$work/data
clientPort=$zk_port
clientPortAddress=127.0.0.1
forceSync=yes
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=ruok
CFG
java -Xmx1000m -cp "$classpath" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    org.apache.zookeeper.server.ZooKeeperServerMain "$work/zoo.cfg" >"$work/server.out" 2>&1 &
server_pid=$!
idle_then_fill "$zk_port" zookeeper
zk_idle_rss=$idle_rss zk_idle_cpu=$idle_cpu zk_rss=$rss
jcmd "$server_pid" GC.run >/dev/null
sleep 2
zk_rss_gc=$(rss_mib)
zk_heap=$(jcmd "$server_pid" GC.heap_info | awk '/used/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?$/, "", v); printf "%.0f", v / 1024; exit } }')
echo "RESULT system=zookeeper idle_cpu_ms=$zk_idle_cpu idle_rss_mib=$zk_idle_rss rss_mib=$zk_rss rss_after_gc_mib=$zk_rss_gc heap_used_mib=$zk_heap" | tee -a "$out/results.txt"
stop_server

echo; echo "=== OrleansZk, one silo ==="
work=$(mktemp -d "${TMPDIR:-/tmp}/compare-memory-silo.XXXXXX")
client_port=$(free_port 21900)
(cd "$work" && exec dotnet "$silo_dll" --OrleansZk:DataDir="$work/data" --OrleansZk:ClientPort="$client_port" \
    --OrleansZk:GatewayPort="$(free_port 31900)" --OrleansZk:SiloPort="$(free_port 41900)" --OrleansZk:ForceSync=true \
    --OrleansZk:FourLetterWords=ruok,mntr "${silo_args[@]}") >"$work/server.out" 2>&1 &
server_pid=$!
idle_then_fill "$client_port" orleanszk
oz_idle_rss=$idle_rss oz_idle_cpu=$idle_cpu oz_rss=$rss
four_letter "$client_port" mntr >"$out/orleanszk-mntr.txt"
# A mntr key in MiB ("-" from a silo build without it).
mntr_mib() { awk -v k="zk_$1" '$1 == k { printf "%.0f", $2 / 1048576; found = 1 } END { if (!found) printf "-" }' "$out/orleanszk-mntr.txt"; }
oz_heap=$(mntr_mib gc_heap_bytes) oz_free=$(mntr_mib gc_fragmented_bytes) oz_committed=$(mntr_mib gc_committed_bytes)
echo "RESULT system=orleanszk idle_cpu_ms=$oz_idle_cpu idle_rss_mib=$oz_idle_rss rss_mib=$oz_rss gc_heap_mib=$oz_heap gc_fragmented_mib=$oz_free gc_committed_mib=$oz_committed" | tee -a "$out/results.txt"
stop_server

{
    echo
    echo "| figure | ZooKeeper | OrleansZk | ratio (OrleansZk / ZooKeeper) |"
    echo "|---|---:|---:|---:|"
    echo "| idle CPU, ms per ${idle_s} s | $zk_idle_cpu | $oz_idle_cpu | $(awk -v a="$oz_idle_cpu" -v b="$zk_idle_cpu" 'BEGIN { print (b > 0 ? sprintf("%.1f", a / b) : "-") }') |"
    echo "| resident memory idle, MiB | $zk_idle_rss | $oz_idle_rss | $(awk -v a="$oz_idle_rss" -v b="$zk_idle_rss" 'BEGIN { printf "%.2f", a / b }') |"
    echo "| resident memory at $n znodes, MiB | $zk_rss (after a full GC: $zk_rss_gc; heap in use $zk_heap) | $oz_rss (.NET heap at its last collection: $oz_heap, of it free $oz_free; committed $oz_committed) | $(awk -v a="$oz_rss" -v b="$zk_rss" 'BEGIN { printf "%.2f", a / b }') |"
    echo "| fill time, s | $(sed -n 's/.*seconds=//p' "$out/zookeeper-fill.txt") | $(sed -n 's/.*seconds=//p' "$out/orleanszk-fill.txt") | |"
} | tee "$out/table.md"
echo "outputs: $out"
