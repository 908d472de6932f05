#!/usr/bin/env bash
# A local ensemble of OrleansZk silos on 127.0.0.1, one replica each, sharing an SQLite membership
# table (OrleansZk:Clustering=AdoNet) so that any silo — the first started included — may die.
#
#   silo/ensemble.sh start [N]     start N silos (1, 3, 5 or 7; default 3) and wait until each is ready
#   silo/ensemble.sh status        each member's process state, then the replicas' own view (srvr)
#   silo/ensemble.sh kill I        SIGKILL member I (a crash)
#   silo/ensemble.sh stop I        SIGTERM member I and wait for it to exit
#   silo/ensemble.sh pause I       SIGSTOP member I (a hung process); resume I sends SIGCONT
#   silo/ensemble.sh restart I     start member I again with its settings and data (stopping it first if it runs)
#   silo/ensemble.sh stop-all      SIGTERM every member
#   silo/ensemble.sh gateways      the client connect string (every member's gateway)
#
# Member I hosts replica I, listens on silo port SILO_PORT+I-1 and gateway port GATEWAY_PORT+I-1,
# keeps its replica's log and snapshots in DIR/replica-I (the SQLite file is DIR/orleanszk.db) and
# writes its stdout to DIR/silo-I.out, its log to DIR/silo-I.log, its pid to DIR/silo-I.pid.
# Environment: DIR (default ./ensemble), SILO_PORT (11111), GATEWAY_PORT (30000), CLIENT_PORT (0: the
# ZooKeeper client port is off; else member I serves it on CLIENT_PORT+I-1; give it to restart too), SKIP_BUILD=1 (use
# the existing Release build), EXTRA_ARGS (more silo settings, e.g. "--OrleansZk:ForceSync=false").
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=$(mkdir -p "${DIR:-./ensemble}" && cd "${DIR:-./ensemble}" && pwd)
silo_port=${SILO_PORT:-11111}
gateway_port=${GATEWAY_PORT:-30000}
client_port=${CLIENT_PORT:-0}
dll="$root/silo/OrleansZk.Silo/bin/Release/net10.0/OrleansZk.Silo.dll"

die() { echo "ensemble: $*" >&2; exit 2; }
pid_of() { [[ -f "$dir/silo-$1.pid" ]] && cat "$dir/silo-$1.pid" || true; }
running() { local pid; pid=$(pid_of "$1"); [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; }
size() { [[ -f "$dir/ensemble" ]] && cat "$dir/ensemble" || die "no ensemble in $dir (start one first)"; }
member() { [[ $1 =~ ^[0-9]+$ ]] && ((1 <= $1 && $1 <= $(size))) || die "no member '$1' (1 to $(size))"; }

launch() {
    local i=$1 n=$2 ids
    ids=$(seq -s, 1 "$n")
    : >"$dir/silo-$i.out"
    # shellcheck disable=SC2086 # EXTRA_ARGS is a list of arguments
    nohup dotnet "$dll" \
        --OrleansZk:Clustering=AdoNet --OrleansZk:Ensemble="$ids" --OrleansZk:ReplicaId="$i" \
        --OrleansZk:DataDir="$dir" --OrleansZk:SiloPort=$((silo_port + i - 1)) --OrleansZk:GatewayPort=$((gateway_port + i - 1)) \
        --OrleansZk:ClientPort=$((client_port == 0 ? 0 : client_port + i - 1)) \
        ${EXTRA_ARGS:-} >"$dir/silo-$i.out" 2>>"$dir/silo-$i.log" </dev/null &
    echo $! >"$dir/silo-$i.pid"
}

wait_ready() {
    local i=$1 deadline=$((SECONDS + 90))
    until grep -q " ready: " "$dir/silo-$i.out" 2>/dev/null; do
        running "$i" || { tail -n 20 "$dir/silo-$i.log" >&2; die "member $i exited before it was ready"; }
        ((SECONDS < deadline)) || die "member $i not ready within 90 s (log: $dir/silo-$i.log)"
        sleep 0.2
    done
    echo "member $i: $(grep -h " ready: " "$dir/silo-$i.out" | tail -n 1)"
}

gateways() { local n; n=$(size); for i in $(seq 1 "$n"); do printf '%s127.0.0.1:%d' "$([[ $i == 1 ]] || echo ,)" $((gateway_port + i - 1)); done; echo; }
client_ports() { local n; n=$(size); for i in $(seq 1 "$n"); do printf '%s127.0.0.1:%d' "$([[ $i == 1 ]] || echo ,)" $((client_port + i - 1)); done; echo; }

case "${1:-}" in
start)
    n=${2:-3}
    [[ $n =~ ^(1|3|5|7)$ ]] || die "an ensemble has 1, 3, 5 or 7 members, not '$n'"
    for i in $(seq 1 7); do running "$i" && die "member $i is still running (silo/ensemble.sh stop-all first)"; done
    if [[ ${SKIP_BUILD:-0} != 1 ]]; then dotnet build "$root/silo/OrleansZk.Silo" -c Release -nologo -v quiet >/dev/null; fi
    echo "$n" >"$dir/ensemble"
    for i in $(seq 1 "$n"); do launch "$i" "$n"; done
    for i in $(seq 1 "$n"); do wait_ready "$i"; done
    echo "clients: $(gateways)"
    if ((client_port != 0)); then echo "zookeeper clients: $(client_ports)"; fi
    ;;
status)
    n=$(size)
    for i in $(seq 1 "$n"); do
        pid=$(pid_of "$i")
        if ! running "$i"; then state=down; elif [[ $(ps -o stat= -p "$pid") == T* ]]; then state="paused (pid $pid)"; else state="running (pid $pid)"; fi
        echo "member $i: $state"
    done
    echo "srvr" | dotnet "$root/client-sdk/OrleansZk.Cli/bin/Release/net10.0/OrleansZk.Cli.dll" -server "$(gateways)" 2>/dev/null \
        | grep '^replica ' || echo "(no replica answered; build the shell with: dotnet build client-sdk/OrleansZk.Cli -c Release)"
    ;;
kill | pause | resume)
    member "${2:-}"
    running "$2" || die "member $2 is not running"
    case $1 in kill) sig=KILL ;; pause) sig=STOP ;; resume) sig=CONT ;; esac
    kill -s "$sig" "$(pid_of "$2")"
    echo "member $2: SIG$sig"
    ;;
stop)
    member "${2:-}"
    if running "$2"; then
        kill -s TERM "$(pid_of "$2")"; kill -s CONT "$(pid_of "$2")" 2>/dev/null || true
        while running "$2"; do sleep 0.1; done
    fi
    echo "member $2: stopped"
    ;;
restart)
    member "${2:-}"
    "$0" stop "$2" >/dev/null
    launch "$2" "$(size)"
    wait_ready "$2"
    ;;
stop-all)
    n=$(size)
    for i in $(seq 1 "$n"); do running "$i" && { kill -s TERM "$(pid_of "$i")"; kill -s CONT "$(pid_of "$i")" 2>/dev/null || true; }; done
    for i in $(seq 1 "$n"); do while running "$i"; do sleep 0.1; done; done
    echo "stopped"
    ;;
gateways) gateways ;;
*) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
