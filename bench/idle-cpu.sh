#!/usr/bin/env bash
# The CPU an idle silo uses: starts a throwaway silo (default settings, its own data directory and
# free ports), waits until its client port answers and 10 s more, then prints the CPU time it used
# over the next IDLE_S seconds (from /proc/<pid>/stat) and how often the .NET timer thread switched
# in that time (timer wake-ups: every timer of the silo, Orleans' and the runtime's included).
#
# Usage: bench/idle-cpu.sh [RUNS]   (default 3; one line per run)
# Environment: SILO_DLL (another silo build, e.g. an older commit's; default this tree's Release
#              build), IDLE_S (default 20), LABEL (the first word of each line; default "silo").
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
silo_dll=${SILO_DLL:-$root/silo/OrleansZk.Silo/bin/Release/net10.0/OrleansZk.Silo.dll}
idle_s=${IDLE_S:-20}
[[ -f $silo_dll ]] || { echo "no silo build at $silo_dll (dotnet build silo/OrleansZk.Silo -c Release)" >&2; exit 1; }

pid=
dir=
cleanup() {
    if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    if [[ -n $dir ]]; then rm -rf "$dir"; fi
    pid= dir=
}
trap cleanup EXIT

timer_switches() {
    local t sum=0
    for t in /proc/"$pid"/task/*; do
        [[ $(cat "$t/comm" 2>/dev/null) == ".NET Timer" ]] || continue
        sum=$((sum + $(awk '/ctxt_switches/ { s += $2 } END { print s + 0 }' "$t/status")))
    done
    echo "$sum"
}

for _ in $(seq 1 "${1:-3}"); do
    dir=$(mktemp -d "${TMPDIR:-/tmp}/idle-cpu.XXXXXX")
    client_port=$(free_port 24900)
    (cd "$dir" && exec dotnet "$silo_dll" --OrleansZk:DataDir="$dir/data" --OrleansZk:ClientPort="$client_port" \
        --OrleansZk:GatewayPort="$(free_port 34900)" --OrleansZk:SiloPort="$(free_port 44900)" \
        --OrleansZk:FourLetterWords=ruok) >"$dir/silo.out" 2>&1 &
    pid=$!
    wait_serving "$client_port" "$pid" "$dir/silo.out"
    sleep 10
    cpu0=$(cpu_ms "$pid") timer0=$(timer_switches)
    sleep "$idle_s"
    echo "${LABEL:-silo} idle_cpu_ms=$(($(cpu_ms "$pid") - cpu0)) timer_switches=$(($(timer_switches) - timer0)) seconds=$idle_s"
    cleanup
done
