#!/usr/bin/env bash
# Starts a throwaway ZooKeeper 3.8 standalone on 127.0.0.1, compiles and runs a benchmark against
# it (ZkBench, or the class named by BENCH), then stops the server and removes its files. Arguments
# go to the benchmark after the defaults "-server 127.0.0.1:PORT -runs 3" (WatchBench also gets
# "-tick-ms TICK_MS", ZkBench "-server-pid PID" for the server's CPU per request), so e.g.
# "-runs 5 -n 20000" overrides them. Prints the server's CPU time during the benchmark at the end.
# Environment: PORT (first port tried, default 2181), TMPDIR (parent of the temp dir, default /tmp),
#              BENCH (the main class: ZkBench, the default, or WatchBench),
#              TICK_MS (the server's tickTime, default 2000, ZooKeeper's).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
zk_jar=/usr/share/java/zookeeper.jar
# zookeeper.jar's manifest Class-Path brings jute, netty, slf4j-api and the rest; slf4j-simple binds the logging.
classpath="$zk_jar:/usr/share/java/slf4j-simple.jar"

if [[ ! -r $zk_jar ]]; then
    echo "ZooKeeper is not installed ($zk_jar missing): sudo apt-get install zookeeper" >&2
    exit 1
fi
for tool in java javac; do
    if ! command -v "$tool" >/dev/null; then
        echo "$tool not found: sudo apt-get install openjdk-17-jdk-headless" >&2
        exit 1
    fi
done

# port_in_use, four_letter (a server stalled during start-up must not hang the script: 5 s), cpu_ms.
# shellcheck source=bench/lib.sh
. "$here/../lib.sh"

bench=${BENCH:-ZkBench}
tick_ms=${TICK_MS:-2000}
bench_args=()
case $bench in
    ZkBench) ;; # gets -server-pid once the server runs
    WatchBench) bench_args=(-tick-ms "$tick_ms") ;;
    *) echo "BENCH must be ZkBench or WatchBench, not '$bench'" >&2; exit 2 ;;
esac

port=${PORT:-2181}
while port_in_use "$port"; do
    port=$((port + 1))
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/zkbench.XXXXXX")
server_pid=
bench_pid=
cleanup() {
    for pid in $bench_pid $server_pid; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$tmp/data" "$tmp/classes"
cat >"$tmp/zoo.cfg" <<EOF
tickTime=$tick_ms
dataDir=$tmp/data
clientPort=$port
clientPortAddress=127.0.0.1
forceSync=yes
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=srvr,mntr,srst
EOF

echo "data dir: $tmp/data on $(df -P "$tmp" | awk 'NR == 2 { print $1 " mounted on " $6 }')"
echo "java: $(java -version 2>&1 | head -n 1)"
# What one synchronous write costs on this disk, for comparing runs on other machines.
echo "disk: 1000 O_DSYNC 512-byte writes: $(dd if=/dev/zero of="$tmp/probe" bs=512 count=1000 oflag=dsync 2>&1 | tail -n 1)"
rm -f "$tmp/probe"

javac -Xlint:all,-path -Werror -d "$tmp/classes" -cp "$classpath" "$here"/*.java

java -Xms512m -Xmx512m -cp "$classpath" \
    -Dorg.slf4j.simpleLogger.logFile="$tmp/server.log" \
    org.apache.zookeeper.server.ZooKeeperServerMain "$tmp/zoo.cfg" >"$tmp/server.out" 2>&1 &
server_pid=$!

for _ in $(seq 1 300); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "ZooKeeper exited during start-up:" >&2
        cat "$tmp/server.out" "$tmp/server.log" >&2 2>/dev/null || true
        exit 1
    fi
    status=$(four_letter "$port" srvr)
    [[ $status == *"Mode: standalone"* ]] && break
    sleep 0.1
done
if [[ $status != *"Mode: standalone"* ]]; then
    echo "ZooKeeper did not come up on 127.0.0.1:$port within 30 s" >&2
    exit 1
fi
echo "server: $(grep -m 1 'Zookeeper version' <<<"$status") on 127.0.0.1:$port (standalone, forceSync=yes, tickTime=$tick_ms)"
if [[ $bench == ZkBench ]]; then bench_args=(-server-pid "$server_pid"); fi
cpu_before=$(cpu_ms "$server_pid")

java -Xms512m -Xmx512m -cp "$tmp/classes:$classpath" \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -Dorg.slf4j.simpleLogger.log.org.apache.zookeeper.ClientCnxn=error \
    "$bench" -server "127.0.0.1:$port" -runs 3 "${bench_args[@]}" "$@" &
bench_pid=$!
# Waiting in the background lets a signal to this script stop the benchmark and the server at once.
wait "$bench_pid"
echo "server CPU during $bench: $(($(cpu_ms "$server_pid") - cpu_before)) ms"
