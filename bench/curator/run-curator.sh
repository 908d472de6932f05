#!/usr/bin/env bash
# Starts a throwaway Apache ZooKeeper 3.8 standalone on 127.0.0.1 (forceSync=yes, as
# bench/zookeeper/run-zookeeper.sh does), compiles and runs RecipesBench (Apache Curator 5's
# recipes) against it, then stops the server and removes its files. Arguments go to RecipesBench
# after "-server 127.0.0.1:PORT -runs 3", so e.g. "-runs 5 -lock-ops 4000" overrides them.
# Environment: PORT (first port tried, default 2181), TMPDIR (parent of the temp dir, default /tmp).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
java_dir=/usr/share/java
# The jars' manifest Class-Paths bring guava, jackson, jute, netty and slf4j-api; slf4j-simple binds the logging.
classpath="$java_dir/curator-recipes.jar:$java_dir/curator-framework.jar:$java_dir/curator-client.jar:$java_dir/zookeeper.jar:$java_dir/slf4j-simple.jar"

for jar in zookeeper curator-recipes curator-framework curator-client; do
    if [[ ! -r $java_dir/$jar.jar ]]; then
        echo "$java_dir/$jar.jar missing: sudo apt-get install zookeeper libcurator-recipes-java libcurator-framework-java libcurator-client-java" >&2
        exit 1
    fi
done
for tool in java javac; do
    if ! command -v "$tool" >/dev/null; then
        echo "$tool not found: sudo apt-get install openjdk-17-jdk-headless" >&2
        exit 1
    fi
done

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

four_letter() {
    timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "%s" "$2" >&3 && cat <&3' _ "$port" "$1" 2>/dev/null || true
}

port=${PORT:-2181}
while port_in_use "$port"; do
    port=$((port + 1))
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/curatorbench.XXXXXX")
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
cat >"$tmp/zoo.cfg" <<CFG
tickTime=2000
dataDir=$tmp/data
clientPort=$port
clientPortAddress=127.0.0.1
forceSync=yes
maxClientCnxns=0
admin.enableServer=false
CFG

echo "data dir: $tmp/data on $(df -P "$tmp" | awk 'NR == 2 { print $1 " mounted on " $6 }')"
echo "java: $(java -version 2>&1 | head -n 1)"
echo "curator: $(basename "$(ls "$java_dir"/curator-recipes-*.jar | head -n 1)" .jar)"
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
    status=$(four_letter srvr)
    [[ $status == *"Mode: standalone"* ]] && break
    sleep 0.1
done
if [[ $status != *"Mode: standalone"* ]]; then
    echo "ZooKeeper did not come up on 127.0.0.1:$port within 30 s" >&2
    exit 1
fi
echo "server: $(grep -m 1 'Zookeeper version' <<<"$status") on 127.0.0.1:$port (standalone, forceSync=yes)"

java -Xms512m -Xmx512m -cp "$tmp/classes:$classpath" \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -Dorg.slf4j.simpleLogger.log.org.apache.zookeeper.ClientCnxn=error \
    RecipesBench -server "127.0.0.1:$port" -runs 3 "$@" &
bench_pid=$!
wait "$bench_pid"
