#!/usr/bin/env bash
# Records what ZooKeeper 3.8's zkCli prints for each shell script in ../*.zk (see README.md beside this file).
# Usage: record.sh [NAME.zk ...]   (default: every ../*.zk)
# For each script writes NAME.out (stdout), NAME.err (stderr) and NAME.rc (exit code) into $OUT_DIR
# (default: beside the script), each run against a fresh standalone ZooKeeper on 127.0.0.1:$ZK_PORT
# (default 2191) with an empty data directory.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
port="${ZK_PORT:-2191}"
out="${OUT_DIR:-$root}"

if [ ! -f /usr/share/java/zookeeper.jar ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y zookeeper
fi
command -v java >/dev/null || { echo "record.sh: java not found" >&2; exit 1; }

# zookeeper.jar's manifest Class-Path brings in commons-cli, jline (1.x: zkCli reports JLine as disabled), netty, ...
cp="/usr/share/java/zookeeper.jar"
# UTF-8 in and out, as a .NET console has; under the POSIX locale Java would turn non-ASCII into '?'.
export LC_ALL=C.UTF-8

work="$(mktemp -d)"
server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
trap 'stop_server; rm -rf "$work"' EXIT

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

start_server() {
  # Something else on the port would answer in our server's place, with its own tree.
  if port_open; then
    echo "record.sh: port $port is already in use (set ZK_PORT)" >&2
    exit 1
  fi
  rm -rf "$work/data" && mkdir -p "$work/data"
  cat >"$work/zoo.cfg" <<CFG
tickTime=2000
dataDir=$work/data
clientPort=$port
clientPortAddress=127.0.0.1
admin.enableServer=false
CFG
  java -Dzookeeper.extendedTypesEnabled=true -cp "$cp" \
    org.apache.zookeeper.server.ZooKeeperServerMain "$work/zoo.cfg" >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    if port_open; then return 0; fi
    sleep 0.1
  done
  echo "record.sh: ZooKeeper did not start on port $port" >&2
  cat "$work/server.log" >&2
  exit 1
}

# hold_after N: copies standard input, pausing two seconds after its first N lines.
hold_after() {
  head -n "$1"
  sleep 2
  cat
}

# record NAME OUTPUT FEEDER [ARG]: runs zkCli on NAME.zk (passed through FEEDER) against a fresh
# server, into OUTPUT.out, OUTPUT.err and OUTPUT.rc.
record() {
  local name="$1" output="$2"
  shift 2
  start_server
  # zkCli's exit code, not the feeder's (which may die of SIGPIPE when zkCli stops reading).
  set +e
  "$@" <"$root/$name.zk" | java -cp "$cp" org.apache.zookeeper.ZooKeeperMain -server "127.0.0.1:$port" -waitforconnection "${args[@]}" \
    >"$out/$output.out" 2>"$work/stderr"
  rc=${PIPESTATUS[1]}
  set -e
  # SLF4J's "no binding" notice comes from the logging set-up of Debian's package, not from zkCli.
  grep -v '^SLF4J: ' "$work/stderr" >"$out/$output.err" || true
  echo "$rc" >"$out/$output.rc"
  stop_server
  # The next server must not find this one still holding the port.
  while port_open; do sleep 0.1; done
  echo "recorded $output (exit $rc)"
}

if [ "$#" -gt 0 ]; then
  scripts=("$@")
else
  scripts=("$root"/*.zk)
fi

for script in "${scripts[@]}"; do
  name="$(basename "$script" .zk)"
  args=()
  # NAME.args: a command given on zkCli's command line (then stdin is not read).
  [ -f "$root/$name.args" ] && read -r -a args <"$root/$name.args"
  record "$name" "$name" cat
  # NAME.race: zkCli's own threads race after line N of the script (its first word); record the
  # other outcome too, as NAME.race.*, by holding the rest of the script back for two seconds.
  if [ -f "$root/$name.race" ]; then
    read -r line _ <"$root/$name.race"
    record "$name" "$name.race" hold_after "$line"
  fi
done
