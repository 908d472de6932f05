# Helpers the compare scripts share (sourced, not run).

# The 1, 5 and 15 minute load averages.
load() { cut -d ' ' -f 1-3 /proc/loadavg; }

# Whether something accepts connections on 127.0.0.1:$1.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The first port from $1 up that nothing listens on.
free_port() {
    local p=$1
    while port_in_use "$p"; do p=$((p + 1)); done
    echo "$p"
}

# A four-letter word ($2) to 127.0.0.1:$1, and the answer (empty when none within 5 s).
four_letter() {
    timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "%s" "$2" >&3 && cat <&3' _ "$1" "$2" 2>/dev/null || true
}

# CPU time (user + system, ms) process $1 has used so far.
cpu_ms() { awk -v tck="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / tck) }' "/proc/$1/stat"; }

# Waits until the server process $2 answers ruok on 127.0.0.1:$1 (at most 60 s); if it exits first
# or does not answer in time, says so (with its output file $3) and exits the script.
wait_serving() {
    local port=$1 pid=$2 log=$3
    for _ in $(seq 1 600); do
        kill -0 "$pid" 2>/dev/null || { echo "the server exited during start-up:" >&2; cat "$log" >&2; exit 1; }
        [[ $(four_letter "$port" ruok) == imok ]] && return
        sleep 0.1
    done
    echo "nothing served 127.0.0.1:$port within 60 s" >&2
    exit 1
}
