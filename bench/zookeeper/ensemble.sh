#!/usr/bin/env bash
# A local Apache ZooKeeper 3.8 ensemble on 127.0.0.1 (Debian's zookeeper package), for
# side-by-side benchmarks with silo/ensemble.sh, whose commands it mirrors:
#
#   bench/zookeeper/ensemble.sh start [N]    start N servers (1, 3, 5 or 7; default 3) and wait for a leader and N-1 followers
#   bench/zookeeper/ensemble.sh status       each server's process state and mode (srvr)
#   bench/zookeeper/ensemble.sh in-sync      exit 0 iff one server leads and all others follow
#   bench/zookeeper/ensemble.sh leader       the leading server's number
#   bench/zookeeper/ensemble.sh kill I       SIGKILL server I
#   bench/zookeeper/ensemble.sh restart I    start server I again on its data (killing it first if it runs)
#   bench/zookeeper/ensemble.sh stop-all     SIGKILL every server (ZooKeeper needs no clean stop)
#   bench/zookeeper/ensemble.sh gateways     the client connect string
#
# ZooKeeper's defaults: tickTime 2000, initLimit 10, syncLimit 5, forceSync yes; 512 MiB heap
# each. Server I listens for clients on PORT+I-1 (quorum and election ports above PORT+2).
# Environment: DIR (default ./zk-ensemble), PORT (first port, default 21810).
set -euo pipefail

dir=$(mkdir -p "${DIR:-./zk-ensemble}" && cd "${DIR:-./zk-ensemble}" && pwd)
classpath="/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar"
die() { echo "zk-ensemble: $*" >&2; exit 2; }
size() { [[ -f "$dir/ensemble" ]] && cut -d' ' -f1 "$dir/ensemble" || die "no ensemble in $dir (start one first)"; }
base() { cut -d' ' -f2 "$dir/ensemble"; }
pid_of() { [[ -f "$dir/zk$1/pid" ]] && cat "$dir/zk$1/pid" || true; }
running() { local pid; pid=$(pid_of "$1"); [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; }
member() { [[ $1 =~ ^[0-9]+$ ]] && ((1 <= $1 && $1 <= $(size))) || die "no server '$1' (1 to $(size))"; }
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
mode() { timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf srvr >&3 && cat <&3' _ $(($(base) + $1 - 1)) 2>/dev/null | sed -n 's/^Mode: //p' || true; }

launch() {
    java -Xms512m -Xmx512m -cp "$classpath" -Dorg.slf4j.simpleLogger.logFile="$dir/zk$1/server.log" \
        org.apache.zookeeper.server.quorum.QuorumPeerMain "$dir/zk$1/zoo.cfg" >"$dir/zk$1/server.out" 2>&1 </dev/null &
    echo $! >"$dir/zk$1/pid"
}
in_sync() {
    local n l=0 f=0 i m
    n=$(size)
    for i in $(seq 1 "$n"); do
        m=$(mode "$i")
        if [[ $m == leader ]]; then l=$((l + 1)); elif [[ $m == follower || ($n == 1 && $m == standalone) ]]; then f=$((f + 1)); fi
    done
    ((l + f == n && (n == 1 || l == 1)))
}

case "${1:-}" in
start)
    n=${2:-3}
    [[ $n =~ ^(1|3|5|7)$ ]] || die "an ensemble has 1, 3, 5 or 7 servers, not '$n'"
    [[ -r /usr/share/java/zookeeper.jar ]] || die "ZooKeeper is not installed: sudo apt-get install zookeeper"
    if [[ -f "$dir/ensemble" ]]; then for i in $(seq 1 "$(size)"); do running "$i" && die "server $i is still running (stop-all first)"; done; fi
    port=${PORT:-21810}
    while :; do
        free=1
        for ((k = 0; k < 3 * n; k++)); do port_in_use $((port + k)) && { free=0; break; }; done
        ((free)) && break
        port=$((port + 3 * n))
    done
    echo "$n $port" >"$dir/ensemble"
    for i in $(seq 1 "$n"); do
        mkdir -p "$dir/zk$i/data"
        echo "$i" >"$dir/zk$i/data/myid"
        {
            echo "tickTime=2000"; echo "initLimit=10"; echo "syncLimit=5"; echo "forceSync=yes"
            echo "dataDir=$dir/zk$i/data"; echo "clientPort=$((port + i - 1))"; echo "clientPortAddress=127.0.0.1"
            echo "maxClientCnxns=0"; echo "admin.enableServer=false"; echo "4lw.commands.whitelist=srvr"
            if ((n > 1)); then for j in $(seq 1 "$n"); do echo "server.$j=127.0.0.1:$((port + n + j - 1)):$((port + 2 * n + j - 1))"; done; fi
        } >"$dir/zk$i/zoo.cfg"
        if ((n == 1)); then
            java -Xms512m -Xmx512m -cp "$classpath" -Dorg.slf4j.simpleLogger.logFile="$dir/zk1/server.log" \
                org.apache.zookeeper.server.ZooKeeperServerMain "$dir/zk1/zoo.cfg" >"$dir/zk1/server.out" 2>&1 </dev/null &
            echo $! >"$dir/zk1/pid"
        else
            launch "$i"
        fi
    done
    deadline=$((SECONDS + 90))
    until in_sync; do ((SECONDS < deadline)) || die "no leader and $((n - 1)) followers within 90 s (logs in $dir/zk*/server.log)"; sleep 0.2; done
    echo "ZooKeeper ensemble of $n: $("$0" gateways)"
    ;;
status)
    for i in $(seq 1 "$(size)"); do
        if running "$i"; then echo "server $i: running (pid $(pid_of "$i")), $(mode "$i")"; else echo "server $i: down"; fi
    done
    ;;
in-sync) in_sync ;;
leader) for i in $(seq 1 "$(size)"); do [[ $(mode "$i") == leader ]] && { echo "$i"; exit 0; }; done; exit 1 ;;
kill)
    member "${2:-}"
    running "$2" || die "server $2 is not running"
    kill -9 "$(pid_of "$2")"
    while running "$2"; do sleep 0.05; done
    echo "server $2: SIGKILL"
    ;;
restart)
    member "${2:-}"
    ((($(size)) > 1)) || die "restart is for ensembles of 3 or more"
    if running "$2"; then kill -9 "$(pid_of "$2")"; while running "$2"; do sleep 0.05; done; fi
    launch "$2"
    echo "server $2: started"
    ;;
stop-all)
    for i in $(seq 1 "$(size)"); do running "$i" && kill -9 "$(pid_of "$i")"; done
    for i in $(seq 1 "$(size)"); do while running "$i"; do sleep 0.05; done; done
    echo "stopped"
    ;;
gateways)
    n=$(size); b=$(base)
    for i in $(seq 1 "$n"); do printf '%s127.0.0.1:%d' "$([[ $i == 1 ]] || echo ,)" $((b + i - 1)); done; echo
    ;;
*) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
