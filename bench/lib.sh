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
