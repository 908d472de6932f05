#!/usr/bin/env bash
# Records ZooKeeper's answers to the conformance scenarios (see README.md beside this file).
# Usage: record.sh [SCENARIO.zks ...] [--id-set]
#   (default: every scenarios/*.zks and the identity-set orders)
# Writes expected/NAME.out for each scenario, each against a fresh ZooKeeper server, and with
# --id-set (or no argument) expected/jvm-id-set-order.txt from IdSetOrder.java.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

if [ ! -f /usr/share/java/zookeeper.jar ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y zookeeper
fi
for tool in java javac; do
  command -v "$tool" >/dev/null || { echo "record.sh: $tool not found (needs a JDK, 17 or newer)" >&2; exit 1; }
done

# zookeeper.jar's manifest Class-Path brings in jute, netty, slf4j-api, ...
cp="/usr/share/java/zookeeper.jar:/usr/share/java/zookeeper-jute.jar"
[ -f /usr/share/java/slf4j-nop.jar ] && cp="$cp:/usr/share/java/slf4j-nop.jar"

build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
javac -nowarn -d "$build" -cp "$cp" "$here"/*.java

scenarios=()
id_set=0
for arg in "$@"; do
  if [ "$arg" = "--id-set" ]; then id_set=1; else scenarios+=("$arg"); fi
done
if [ "$#" -eq 0 ]; then
  scenarios=("$root"/scenarios/*.zks)
  id_set=1
fi

status=0
# record NAME OUT CLASS [ARGS...]: runs CLASS ARGS OUT.tmp in a JVM; OUT replaced only on success.
record() {
  local name="$1" out="$2"
  shift 2
  if java -Xmx1g -Dfile.encoding=UTF-8 -cp "$build:$cp" "$@" "$out.tmp" 2>"$build/$name.log"; then
    mv "$out.tmp" "$out"
    echo "recorded $name ($(grep -vc '^#' "$out") lines)"
  else
    rm -f "$out.tmp"
    echo "FAILED $name:" >&2
    grep -v SLF4J "$build/$name.log" >&2 || true
    status=1
  fi
}

if [ "$id_set" -eq 1 ]; then
  record jvm-id-set-order "$root/expected/jvm-id-set-order.txt" IdSetOrder
fi
for scenario in "${scenarios[@]+"${scenarios[@]}"}"; do
  name="$(basename "$scenario" .zks)"
  record "$name" "$root/expected/$name.out" Recorder "$scenario"
done
exit $status
